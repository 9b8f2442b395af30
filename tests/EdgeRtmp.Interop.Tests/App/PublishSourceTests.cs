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
            ["publish", "--to", server.Url("live/card?key=secret"), "--video", "testcard", "--audio", "none", "--duration", "8"],
            environment, CancellationToken.None);
        Assert.True(await server.WaitForPublisherAsync("live/card", TimeSpan.FromSeconds(15)), error.ToString());

        var probe = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error",
            "-show_entries", "stream=codec_name,width,height,r_frame_rate", "-of", "default=noprint_wrappers=1", server.Url("live/card"));
        Assert.True(probe.ExitCode == 0, probe.Stderr);
        Assert.Equal("codec_name=h264\nwidth=640\nheight=360\nr_frame_rate=30/1", probe.Stdout.Trim().ReplaceLineEndings("\n"));

        var decode = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", server.Url("live/card"), "-t", "3", "-f", "null", "-");
        Assert.True(decode.ExitCode == 0, decode.Stderr);
        Assert.Equal("", decode.Stderr.Trim());

        Assert.Equal(0, await publish.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("published testcard", error.ToString());
    }
}
