using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Cli;
using EdgeRtmp.Interop.Tests.Support;
using Xunit.Abstractions;

namespace EdgeRtmp.Interop.Tests.App;

/// <summary><c>edgertmp run</c> with the test card and the tone, judged by what ffprobe and ffmpeg read.</summary>
public class RunAudioTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long the lip sync run lasts: the issue asks for 60 s; EDGERTMP_LIPSYNC_SECONDS shortens it for a quick loop.</summary>
    private static int LipSyncSeconds =>
        int.TryParse(Environment.GetEnvironmentVariable("EDGERTMP_LIPSYNC_SECONDS"), CultureInfo.InvariantCulture, out int seconds) ? seconds : 60;

    [Fact]
    public async Task Test_card_and_tone_decode_cleanly_and_their_timestamps_agree_within_a_frame()
    {
        Tools.Require("ffmpeg");
        Tools.Require("ffprobe");
        await using var app = await App.StartAsync("--video", "testcard", "--audio", "tone");

        var streams = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error",
            "-show_entries", "stream=codec_type,codec_name,profile,sample_rate,channels", "-of", "default=noprint_wrappers=1", app.Url);
        Assert.True(streams.ExitCode == 0, streams.Stderr);
        string described = streams.Stdout.ReplaceLineEndings("\n");
        Assert.Contains("codec_name=h264\n", described, StringComparison.Ordinal);
        Assert.Contains("codec_name=aac\nprofile=LC\ncodec_type=audio\nsample_rate=48000\nchannels=1", described, StringComparison.Ordinal);

        // Packets in the order they arrived, with their timestamps (ms). The audio of a moment arrives two AAC frames
        // (42.7 ms) after it, the encoder's look-ahead, stamped with the moment itself; so in arrival order the latest
        // audio stamp trails the latest video stamp by a constant, and over the run that difference must not move by
        // more than one frame: audio and video keep one clock.
        var packets = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error", "-read_intervals", $"%+{LipSyncSeconds}",
            "-show_entries", "packet=codec_type,dts", "-of", "csv=p=0", app.Url);
        Assert.True(packets.ExitCode == 0, packets.Stderr);
        long lastAudio = -1, lastVideo = -1, audioCount = 0, videoCount = 0;
        var offsets = new List<(long At, long Offset)>();
        foreach (string line in packets.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split(',');
            long dts = long.Parse(fields[1], CultureInfo.InvariantCulture);
            if (fields[0] == "audio")
            {
                Assert.True(dts > lastAudio, $"audio dts {dts} after {lastAudio}");
                lastAudio = dts;
                audioCount++;
            }
            else if (fields[0] == "video")
            {
                Assert.True(dts > lastVideo, $"video dts {dts} after {lastVideo}");
                lastVideo = dts;
                videoCount++;
            }

            if (lastAudio >= 0 && lastVideo >= 0)
            {
                offsets.Add((Math.Max(lastAudio, lastVideo), lastVideo - lastAudio));
            }
        }

        Assert.True(audioCount > LipSyncSeconds * 46 * 0.9, $"{audioCount} audio packets in {LipSyncSeconds} s");
        Assert.True(videoCount > LipSyncSeconds * 30 * 0.9, $"{videoCount} video packets in {LipSyncSeconds} s");
        long start = offsets[0].At;
        long end = offsets[^1].At;
        double first = Median(offsets.Where(o => o.At < start + 5000).Select(o => o.Offset));
        double last = Median(offsets.Where(o => o.At > end - 5000).Select(o => o.Offset));
        output.WriteLine($"{audioCount} audio, {videoCount} video packets over {(end - start) / 1000.0:0.0} s; video ahead of audio in arrival order by {first:0} ms (median, first 5 s) and {last:0} ms (last 5 s)");
        Assert.True(Math.Abs(last - first) <= 21, $"the offset moved from {first} ms to {last} ms");
        // The constant itself: the AAC look-ahead (42.7 ms) plus up to a frame of each kind for where in the cadence a packet falls.
        Assert.InRange(first, 0, 43 + 21 + 33);

        var decode = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", app.Url, "-t", "4", "-enc_time_base", "-1", "-f", "null", "-");
        Assert.True(decode.ExitCode == 0, decode.Stderr);
        Assert.Equal("", decode.Stderr + decode.Stdout);
    }

    private static double Median(IEnumerable<long> values)
    {
        long[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private sealed class App : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly StringWriter _error = new();
        private Task<int>? _run;

        public int Port { get; private set; }

        public string Url => $"rtmp://127.0.0.1:{Port}/live/cam";

        public static async Task<App> StartAsync(params string[] arguments)
        {
            var app = new App();
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
            app._run = CommandLine.InvokeAsync(["run", "--listen", $"127.0.0.1:{app.Port}", .. arguments], environment, app._stop.Token);
            long deadline = Environment.TickCount64 + 15_000;
            while (true)
            {
                Assert.False(app._run.IsCompleted, "run exited: " + app._error);
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, app.Port);
                    return app;
                }
                catch (SocketException) when (Environment.TickCount64 < deadline)
                {
                    await Task.Delay(50);
                }
            }
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
