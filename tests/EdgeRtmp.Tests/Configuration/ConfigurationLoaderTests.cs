using System.Net;
using EdgeRtmp.Configuration;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Configuration;

public class ConfigurationLoaderTests
{
    private static ConfigurationRequest Request(
        string? file = null,
        Dictionary<string, string?>? environment = null,
        Dictionary<string, string?>? overrides = null,
        string[]? push = null) => new()
    {
        ConfigFile = file,
        DefaultConfigFile = "/nonexistent/edgertmp.json",
        Environment = environment ?? [],
        Overrides = overrides ?? [],
        PushUrls = push ?? [],
    };

    [Fact]
    public void Without_a_file_the_built_in_defaults_apply()
    {
        var settings = ConfigurationLoader.Load(Request());

        Assert.Equal(new IPEndPoint(IPAddress.Any, 1935), settings.Listen);
        Assert.Equal("live", settings.App);
        Assert.Equal("cam", settings.Stream);
        Assert.Equal(VideoSourceSpec.Auto, settings.Video);
        Assert.Equal(AudioSourceSpec.Auto, settings.Audio);
        Assert.Empty(settings.Options.Push);
        Assert.Empty(settings.AllowPlay);
        Assert.Null(settings.ConfigFile);
        Assert.Empty(settings.Warnings);
    }

    [Fact]
    public void File_then_environment_then_flags_highest_wins()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("c.json", """
            { "Server": { "Listen": "127.0.0.1:1000", "App": "fromfile", "Stream": "fromfile", "ChunkSize": 1000 } }
            """);
        var environment = new Dictionary<string, string?>
        {
            ["EDGERTMP__Server__Listen"] = "127.0.0.1:2000",
            ["EDGERTMP__Server__App"] = "fromenv",
            ["EDGERTMP__Server__ChunkSize"] = "2000",
            ["Server__Stream"] = "not-ours",
            ["HOME"] = "/root",
        };
        var overrides = new Dictionary<string, string?> { ["Server:Listen"] = "127.0.0.1:3000" };

        var settings = ConfigurationLoader.Load(Request(file, environment, overrides));

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 3000), settings.Listen);
        Assert.Equal("fromenv", settings.App);
        Assert.Equal("fromfile", settings.Stream);
        Assert.Equal(2000, settings.Options.Server.ChunkSize);
        Assert.Equal(file, settings.ConfigFile);
    }

    [Fact]
    public void Environment_prefix_is_case_insensitive_and_double_underscores_nest()
    {
        var data = ConfigurationLoader.FromEnvironment(new Dictionary<string, string?>
        {
            ["edgertmp__Video__Fps"] = "25",
            ["EDGERTMP__Push__0__Url"] = "rtmp://a/b/c",
            ["EDGERTMP__"] = "ignored",
            ["PATH"] = "/bin",
        });

        Assert.Equal(2, data.Count);
        Assert.Equal("25", data["Video:Fps"]);
        Assert.Equal("rtmp://a/b/c", data["Push:0:Url"]);
    }

    [Fact]
    public void The_default_file_is_read_when_it_exists()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("edgertmp.json", """{ "Server": { "Stream": "door" } }""");

        var settings = ConfigurationLoader.Load(Request() with { DefaultConfigFile = file });

        Assert.Equal("door", settings.Stream);
        Assert.Equal(file, settings.ConfigFile);
    }

    [Fact]
    public void A_missing_config_file_is_an_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Request("/nonexistent/x.json")));

        Assert.Equal("--config /nonexistent/x.json: no such file", error.Message);
    }

    [Fact]
    public void Push_flags_replace_the_configured_list()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("c.json", """
            { "Push": [ { "Url": "rtmp://a/app/1" }, { "Url": "rtmp://b/app/2", "Enabled": false } ] }
            """);

        var fromFile = ConfigurationLoader.Load(Request(file));
        var fromFlags = ConfigurationLoader.Load(Request(file, push: ["rtmps://c/app/3"]));

        Assert.Equal(["rtmp://a/app/1", "rtmp://b/app/2"], fromFile.Options.Push.Select(p => p.Url));
        Assert.Equal([true, false], fromFile.Options.Push.Select(p => p.Enabled));
        var only = Assert.Single(fromFlags.Options.Push);
        Assert.Equal("rtmps://c/app/3", only.Url);
        Assert.True(only.Enabled);
    }

    [Fact]
    public void Lists_and_sources_are_parsed()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("c.json", """
            {
              // comments and trailing commas are accepted, as by Microsoft.Extensions.Configuration.Json
              "Server": { "Listen": "[::]:1935", "AllowPlay": [ "192.168.1.0/24", "10.0.0.7", "fd00::/8" ], },
              "Video": { "Source": "exec:\"rpicam-vid -o -\"" },
              "Audio": { "Source": "alsa:hw:1,0" },
            }
            """);

        var settings = ConfigurationLoader.Load(Request(file));

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 1935), settings.Listen);
        Assert.Equal([IPNetwork.Parse("192.168.1.0/24"), IPNetwork.Parse("10.0.0.7/32"), IPNetwork.Parse("fd00::/8")], settings.AllowPlay);
        Assert.Equal(new VideoSourceSpec(VideoSourceKind.Exec, "rpicam-vid -o -"), settings.Video);
        Assert.Equal(new AudioSourceSpec(AudioSourceKind.Alsa, "hw:1,0"), settings.Audio);
    }

    [Fact]
    public void Unknown_keys_are_warned_about_with_a_suggestion()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("c.json", """
            { "Sever": { "Listen": "127.0.0.1:1" }, "Video": { "Fsp": 25 }, "Extra": { "Thing": 1 }, "Server": { } }
            """);

        var settings = ConfigurationLoader.Load(Request(file));

        Assert.Equal(
            [
                "unknown configuration key Extra:Thing (ignored)",
                "unknown configuration key Sever:Listen (ignored); did you mean Server:Listen?",
                "unknown configuration key Video:Fsp (ignored); did you mean Video:Fps?",
            ],
            settings.Warnings);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 1935), settings.Listen);
    }

    [Fact]
    public void Unknown_environment_keys_are_warned_about_too()
    {
        var settings = ConfigurationLoader.Load(Request(environment: new() { ["EDGERTMP__Server__Lisen"] = "x" }));

        Assert.Equal(["unknown configuration key Server:Lisen (ignored); did you mean Server:Listen?"], settings.Warnings);
    }

    [Fact]
    public void The_shipped_default_configuration_loads_and_equals_the_built_in_defaults()
    {
        var file = Path.Combine(RepositoryRoot.Path, "deploy", "edgertmp.json");

        var shipped = ConfigurationLoader.Load(Request(file));
        var builtIn = ConfigurationLoader.Load(Request());

        Assert.Empty(shipped.Warnings);
        Assert.Equal(Flatten(builtIn.Options), Flatten(shipped.Options));

        // Every key the loader knows is spelled out in the shipped file, so it documents them all.
        var text = File.ReadAllText(file);
        foreach (var key in ConfigurationSchema.KnownKeys.Where(key => !key.Contains('*', StringComparison.Ordinal)))
        {
            Assert.Contains("\"" + key[(key.LastIndexOf(':') + 1)..] + "\"", text, StringComparison.Ordinal);
        }
    }

    private static string Flatten(EdgeRtmpOptions options) =>
        string.Join(
            "\n",
            $"{options.Server.Listen} {options.Server.App} {options.Server.Stream} {options.Server.ChunkSize} {options.Server.PublishKey} {options.Server.PlayKey} [{string.Join(",", options.Server.AllowPlay)}] {options.Server.MaxConnections} {options.Server.HandshakeTimeout} {options.Server.IdleTimeout}",
            $"{options.Video.Source} {options.Video.Width} {options.Video.Height} {options.Video.Fps} {options.Video.BitrateKbps} {options.Video.KeyframeInterval} {options.Video.Device} {options.Video.Encoder} {options.Video.Command}",
            $"{options.Audio.Source} {options.Audio.Device} {options.Audio.SampleRate} {options.Audio.Channels} {options.Audio.BitrateKbps}",
            $"[{string.Join(",", options.Push.Select(p => p.Url + ":" + p.Enabled))}]",
            $"{options.Gpio.Chip} {options.Gpio.Driver} {options.Gpio.StatusLed} {options.Gpio.ErrorLed} {options.Gpio.ViewerLed} {options.Gpio.LiveButton} {options.Gpio.RecordButton} {options.Gpio.ActiveLow} {options.Gpio.LongPressMs}",
            $"{options.Record.Enabled} {options.Record.Directory} {options.Record.SegmentSeconds} {options.Record.MaxBytes} {options.Record.MinFreeBytes}");
}
