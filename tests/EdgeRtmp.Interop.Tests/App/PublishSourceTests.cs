using EdgeRtmp.Cli;
using EdgeRtmp.Interop.Tests.Support;

namespace EdgeRtmp.Interop.Tests.App;

/// <summary><c>edgertmp publish</c> with a live source, judged by what ffprobe and ffmpeg read back from the server it pushed to.</summary>
public class PublishSourceTests
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Publish_pushes_the_test_card_that_ffmpeg_decodes_without_a_single_error()
    {
        await using LocalServer server = await LocalServer.StartAsync();
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment { Out = output, Error = error, DefaultConfigFile = "/nonexistent/edgertmp.json" };
        Task<int> publish = CommandLine.InvokeAsync(
            ["publish", "--to", server.Url("live/card?key=secret"), "--video", "testcard", "--audio", "none", "--duration", "20"],
            environment, CancellationToken.None);
        Assert.True(await server.WaitForPublisherAsync("live/card", TimeSpan.FromSeconds(15)), error.ToString());

        var probe = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error",
            "-show_entries", "stream=codec_name,width,height,r_frame_rate", "-of", "default=noprint_wrappers=1", server.Url("live/card"));
        Assert.True(probe.ExitCode == 0, probe.Stderr);
        Assert.Equal("codec_name=h264\nwidth=640\nheight=360\nr_frame_rate=30/1", probe.Stdout.Trim().ReplaceLineEndings("\n"));

        // The publisher runs 20 s: on a loaded machine the probe alone has taken more than 8, and a decoder that joins
        // after the publisher has left waits for a stream that never comes.
        var decode = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", server.Url("live/card"), "-t", "3", "-enc_time_base", "-1", "-f", "null", "-");
        Assert.True(decode.ExitCode == 0, decode.Stderr);
        Assert.Equal("", decode.Stderr.Trim());

        Assert.Equal(0, await publish.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("published testcard", error.ToString());
    }

    [Fact]
    public async Task Publish_pushes_the_test_card_with_its_tone_as_aac_that_ffmpeg_decodes_cleanly()
    {
        await using LocalServer server = await LocalServer.StartAsync();
        var error = new StringWriter();
        var environment = new CliEnvironment { Out = new StringWriter(), Error = error, DefaultConfigFile = "/nonexistent/edgertmp.json" };
        Task<int> publish = CommandLine.InvokeAsync(
            ["publish", "--to", server.Url("live/tone?key=secret"), "--video", "testcard", "--audio", "tone", "--duration", "20"],
            environment, CancellationToken.None);
        Assert.True(await server.WaitForPublisherAsync("live/tone", TimeSpan.FromSeconds(15)), error.ToString());

        var probe = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error", "-select_streams", "a",
            "-show_entries", "stream=codec_name,profile,sample_rate,channels", "-of", "default=noprint_wrappers=1", server.Url("live/tone"));
        Assert.True(probe.ExitCode == 0, probe.Stderr);
        Assert.Equal("codec_name=aac\nprofile=LC\nsample_rate=48000\nchannels=1", probe.Stdout.Trim().ReplaceLineEndings("\n"));

        var decode = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", server.Url("live/tone"), "-t", "3", "-enc_time_base", "-1", "-f", "null", "-");
        Assert.True(decode.ExitCode == 0, decode.Stderr);
        Assert.Equal("", decode.Stderr.Trim());

        Assert.Equal(0, await publish.WaitAsync(TimeSpan.FromSeconds(60)));
    }
}
