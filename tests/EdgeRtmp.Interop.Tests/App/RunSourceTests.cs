using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Cli;
using EdgeRtmp.Interop.Tests.Support;

namespace EdgeRtmp.Interop.Tests.App;

/// <summary><c>edgertmp run</c> in-process with its video sources, judged by what ffprobe and ffmpeg decode.</summary>
public class RunSourceTests
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Run_with_defaults_serves_the_test_card_that_ffmpeg_decodes_without_a_single_error()
    {
        Tools.Require("ffmpeg");
        Tools.Require("ffprobe");
        await using var app = await RunningApp.StartAsync();

        // No stream selection: the test card must be exactly one stream (metadata must not show up as a data stream).
        var probe = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error",
            "-show_entries", "stream=codec_name,width,height,r_frame_rate", "-of", "default=noprint_wrappers=1", app.Url);
        Assert.True(probe.ExitCode == 0, probe.Stderr);
        Assert.Equal("codec_name=h264\nwidth=640\nheight=360\nr_frame_rate=30/1", probe.Stdout.Trim().ReplaceLineEndings("\n"));

        var decode = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", app.Url, "-t", "5", "-enc_time_base", "-1", "-f", "null", "-");
        Assert.True(decode.ExitCode == 0, decode.Stderr);
        Assert.Equal("", decode.Stderr + decode.Stdout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Run_with_an_exec_ffmpeg_encoder_serves_what_ffmpeg_decodes_cleanly(int bFrames)
    {
        Tools.Require("ffmpeg");
        // A raw elementary stream carries no timestamps: pictures are stamped on arrival (decode order) and, with
        // B-frames, get their composition time from the picture order count. -flush_packets 1: ffmpeg would otherwise
        // hold pictures in its 32 KB output buffer and deliver bursts 1 ms apart.
        await using var app = await RunningApp.StartAsync(
            "--video", $"exec:\"ffmpeg -v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -c:v libx264 -bf {bFrames} -g 25 -bsf:v h264_mp4toannexb -flush_packets 1 -f h264 -\"");

        var probe = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error", "-select_streams", "v",
            "-show_entries", "stream=codec_name,width,height", "-of", "default=noprint_wrappers=1", app.Url);
        Assert.True(probe.ExitCode == 0, probe.Stderr);
        Assert.Equal("codec_name=h264\nwidth=320\nheight=240", probe.Stdout.Trim().ReplaceLineEndings("\n"));

        // Pictures come out of the decoder in presentation order: their timestamps must increase (composition time 0
        // on a B-frame stream would show them out of order).
        var frames = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error", "-select_streams", "v", "-read_intervals", "%+3",
            "-show_entries", "frame=pts", "-of", "csv=p=0", app.Url);
        Assert.True(frames.ExitCode == 0, frames.Stderr);
        long[] pts = frames.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => long.Parse(line.TrimEnd(','), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(pts.Length >= 50, $"{pts.Length} pictures in 3 s");
        for (int i = 1; i < pts.Length; i++)
        {
            Assert.True(pts[i] > pts[i - 1], $"picture {i} shown at {pts[i]} ms after one at {pts[i - 1]} ms");
        }

        var decode = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", app.Url, "-t", "4", "-enc_time_base", "-1", "-f", "null", "-");
        Assert.True(decode.ExitCode == 0, decode.Stderr);

        // Known open issue: about once per GOP ffmpeg's null muxer reports two output frames in one 1/25 s slot
        // ("non monotonically increasing dts to muxer"); the stamps we send are strictly increasing, ~40 ms apart.
        // Every other line (any decoder error) fails the test.
        // ffmpeg folds repeats of that same line into "Last message repeated N times": those go with it.
        var problems = new List<string>();
        bool previousWasKnown = false;
        foreach (string line in (decode.Stderr + decode.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool known = line.Contains("non monotonically increasing dts to muxer", StringComparison.Ordinal)
                || (previousWasKnown && line.StartsWith("Last message repeated", StringComparison.Ordinal));
            if (!known)
            {
                problems.Add(line);
            }

            previousWasKnown = known;
        }

        Assert.Empty(problems);
    }

    /// <summary>The real <c>run</c> command on a free loopback port, stopped (and its encoder with it) on dispose.</summary>
    private sealed class RunningApp : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly StringWriter _error = new();
        private Task<int>? _run;

        public int Port { get; private set; }

        public string Url => $"rtmp://127.0.0.1:{Port}/live/cam";

        public static async Task<RunningApp> StartAsync(params string[] arguments)
        {
            var app = new RunningApp();
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                app.Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var environment = new CliEnvironment
            {
                Variables = new Dictionary<string, string?>(),
                Out = new StringWriter(),
                Error = app._error,
                DefaultConfigFile = "/nonexistent/edgertmp.json",
            };
            app._run = CommandLine.InvokeAsync(["run", "--listen", $"127.0.0.1:{app.Port}", "--audio", "none", .. arguments], environment, app._stop.Token);

            // Listening.
            long deadline = Environment.TickCount64 + 15_000;
            while (true)
            {
                Assert.False(app._run.IsCompleted, "run exited: " + app._error);
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, app.Port);
                    break;
                }
                catch (SocketException) when (Environment.TickCount64 < deadline)
                {
                    await Task.Delay(50);
                }
            }

            // Live: a player of live/cam receives a keyframe, so the ffprobe and ffmpeg that follow meet a stream that
            // is producing (an exec encoder takes its time to start; the server holds a player until the stream is live).
            await using (ProbePlayer player = await ProbePlayer.PlayAsync(app.Port, "live", "cam"))
            {
                Assert.True(await player.WaitUntilAsync(p => p.Media.Any(m => m.Keyframe) || app._run.IsCompleted, TimeSpan.FromSeconds(60)),
                    "no keyframe reached a player within a minute: " + app._error);
                Assert.False(app._run.IsCompleted, "run exited: " + app._error);
            }

            return app;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_run is not null)
            {
                Assert.Equal(0, await _run.WaitAsync(TimeSpan.FromSeconds(20)));
            }

            _stop.Dispose();
        }
    }
}
