using EdgeRtmp.Cli;
using EdgeRtmp.Configuration;

namespace EdgeRtmp.Tests.Cli;

public class CommandLineTests
{
    private sealed record Outcome(int ExitCode, string Out, string Error);

    private static async Task<Outcome> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment { Out = output, Error = error, DefaultConfigFile = "/nonexistent/edgertmp.json" };
        var exitCode = await CommandLine.InvokeAsync(args, environment, CancellationToken.None);
        return new Outcome(exitCode, output.ToString(), error.ToString());
    }

    private static System.CommandLine.ParseResult Parse(params string[] args) =>
        CommandLine.CreateRootCommand(new CliEnvironment()).Parse(args);

    [Fact]
    public void Run_without_arguments_leaves_everything_to_the_configuration()
    {
        var result = Parse("run");

        Assert.Empty(result.Errors);
        var arguments = CommandLine.ReadRunArguments(result);
        Assert.Equal(new RunArguments(null, null, null, null, []), arguments with { Push = [] });
        Assert.Empty(arguments.Push);
        Assert.Empty(arguments.ToOverrides());
    }

    [Fact]
    public void Run_defaults_are_the_box_defaults()
    {
        var arguments = CommandLine.ReadRunArguments(Parse("run"));

        var settings = ConfigurationLoader.Load(new ConfigurationRequest
        {
            DefaultConfigFile = "/nonexistent/edgertmp.json",
            Overrides = arguments.ToOverrides(),
            PushUrls = arguments.Push,
        });

        Assert.Equal("0.0.0.0:1935", ListenAddress.Format(settings.Listen));
        Assert.Equal("live", settings.App);
        Assert.Equal("cam", settings.Stream);
        Assert.Equal(VideoSourceKind.Auto, settings.Video.Kind);
        Assert.Equal(AudioSourceKind.Auto, settings.Audio.Kind);
        Assert.Empty(settings.Options.Push);
    }

    [Fact]
    public void Run_reads_every_flag_and_repeated_push()
    {
        var result = Parse(
            "run", "--config", "/tmp/x.json", "--listen", "[::]:1936", "--video", "v4l2:/dev/video2", "--audio", "tone",
            "--push", "rtmp://a.example/live/key1", "--push", "rtmps://b.example/app/key2");

        Assert.Empty(result.Errors);
        var arguments = CommandLine.ReadRunArguments(result);
        Assert.Equal("/tmp/x.json", arguments.ConfigFile);
        Assert.Equal(["rtmp://a.example/live/key1", "rtmps://b.example/app/key2"], arguments.Push);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Server:Listen"] = "[::]:1936",
                ["Video:Source"] = "v4l2:/dev/video2",
                ["Audio:Source"] = "tone",
            },
            arguments.ToOverrides());
    }

    [Fact]
    public void Publish_has_its_options()
    {
        var result = Parse("publish", "--to", "rtmp://x/app/key", "--video", "testcard", "--audio", "none", "--duration", "5");

        Assert.Empty(result.Errors);
        Assert.Equal("publish", result.CommandResult.Command.Name);
        Assert.Equal("rtmp://x/app/key", result.GetValue<string>("--to"));
        Assert.Equal(5.0, result.GetValue<double?>("--duration"));
    }

    [Fact]
    public void Publish_requires_to() => Assert.NotEmpty(Parse("publish").Errors);

    [Fact]
    public void Play_takes_a_url_and_options()
    {
        var result = Parse("play", "rtmp://x/live/cam", "--out", "-", "--duration", "2.5");

        Assert.Empty(result.Errors);
        Assert.Equal("rtmp://x/live/cam", result.GetValue<string>("URL"));
        Assert.Equal("-", result.GetValue<string>("--out"));
        Assert.Equal(2.5, result.GetValue<double?>("--duration"));
    }

    [Fact]
    public void Devices_parses() => Assert.Empty(Parse("devices").Errors);

    [Fact]
    public async Task Devices_on_this_machine_exits_0_with_an_inventory()
    {
        var outcome = await InvokeAsync("devices");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("", outcome.Error);
        Assert.Contains("Video source auto:", outcome.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "The URL scheme is 'http', expected rtmp or rtmps", "play", "http://x/live/cam")]
    [InlineData(1, "failed: Connection refused", "play", "rtmp://127.0.0.1:1/live/cam", "--duration", "1")]
    public async Task Play_reports_bad_urls_as_usage_errors_and_unreachable_servers_as_failures(int exitCode, string message, params string[] args)
    {
        var outcome = await InvokeAsync(args);

        Assert.Equal(exitCode, outcome.ExitCode);
        Assert.Contains(message, outcome.Error);
    }

    [Theory]
    [InlineData("--listen", "abc", "edgertmp: --listen \"abc\": expected ADDR:PORT")]
    [InlineData("--listen", "0.0.0.0:99999", "edgertmp: --listen \"0.0.0.0:99999\": expected ADDR:PORT")]
    [InlineData("--video", "webcam", "edgertmp: --video \"webcam\": unknown video source")]
    [InlineData("--audio", "mic", "edgertmp: --audio \"mic\": unknown audio source")]
    [InlineData("--push", "http://x/a/b", "edgertmp: --push \"http://x/a/b\": must be rtmp:// or rtmps://")]
    public async Task Bad_run_flags_are_usage_errors(string flag, string value, string message)
    {
        var outcome = await InvokeAsync("run", flag, value);

        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith(message, outcome.Error, StringComparison.Ordinal);
        Assert.Contains("edgertmp --help", outcome.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("bogus")]
    [InlineData("run", "--nope")]
    [InlineData("publish", "--duration", "-1", "--to", "rtmp://x/a/b")]
    public async Task Other_usage_errors_exit_2(params string[] args)
    {
        var outcome = await InvokeAsync(args);

        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith("edgertmp: ", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version_and_exits_0()
    {
        var outcome = await InvokeAsync("--version");

        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith("0.1.0", outcome.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var outcome = await InvokeAsync("--help");

        Assert.Equal(0, outcome.ExitCode);
        foreach (var command in new[] { "run", "publish", "play", "devices" })
        {
            Assert.Contains(command, outcome.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_configuration_error_exits_2_with_one_message()
    {
        var outcome = await InvokeAsync("run", "--config", "/nonexistent/edgertmp.json");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("edgertmp: configuration error: --config /nonexistent/edgertmp.json: no such file" + Environment.NewLine, outcome.Error);
    }
}
