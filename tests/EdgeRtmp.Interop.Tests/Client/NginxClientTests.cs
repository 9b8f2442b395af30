using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Cli;
using EdgeRtmp.Interop.Tests.Support;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EdgeRtmp.Interop.Tests.Client;

/// <summary>Our publisher and player against real nginx-rtmp, judged by what ffmpeg/ffprobe read back.</summary>
public class NginxClientTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LiveTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Publisher_to_nginx_is_read_back_by_ffmpeg_with_the_same_codecs_every_frame_and_the_duration()
    {
        string sample = await Samples.H264AacAsync();
        await using NginxRtmp nginx = await NginxRtmp.StartAsync();
        string received = Path.Combine(nginx.Directory, "received.flv");

        // The reader waits on nginx for the stream, so it gets it from the first frame.
        await using PeerProcess reader = PeerProcess.Start("ffmpeg", "-v", "error", "-y", "-i", nginx.Url("live/x"), "-c", "copy", "-f", "flv", received);
        Assert.True(await nginx.WaitForPlayerAsync("x", TimeSpan.FromSeconds(30)), "ffmpeg never asked nginx to play: " + reader.StandardError);

        var hub = new StreamHub("local");
        await using var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = RtmpUrl.Parse(nginx.Url("live/x")) }, NullLogger.Instance);
        publisher.Start();
        long fed = await FileFeeding.OnceAsync(sample, hub,
            async token => Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, LiveTimeout, token), $"not live: {publisher.State}"),
            CancellationToken.None);
        await publisher.StopAsync();
        output.WriteLine($"fed {fed} frames; sent {publisher.FramesSent}, dropped {publisher.FramesDropped}");

        // With play_restart nginx tells the player the stream stopped, and ffmpeg ends the file by itself.
        if (!await reader.WaitForExitAsync(TimeSpan.FromSeconds(10)))
        {
            await reader.StopAsync(TimeSpan.FromSeconds(10));
        }

        output.WriteLine(reader.StandardError);

        Probe source = await Probe.ReadAsync(sample);
        Probe back = await Probe.ReadAsync(received);
        output.WriteLine($"source {source}; read back {back}");
        Assert.Equal(source.VideoCodec, back.VideoCodec);
        Assert.Equal(source.AudioCodec, back.AudioCodec);
        Assert.Equal(source.VideoPackets, back.VideoPackets);
        Assert.Equal(source.AudioPackets, back.AudioPackets);
        Assert.InRange(back.VideoSpan, source.VideoSpan * 0.95, source.VideoSpan * 1.05);
        Assert.Equal(0, publisher.FramesDropped);
    }

    [Fact]
    public async Task Ffmpeg_to_nginx_to_our_player_gives_an_flv_ffmpeg_decodes_frame_complete()
    {
        string sample = await Samples.H264AacAsync();
        await using NginxRtmp nginx = await NginxRtmp.StartAsync();
        string recorded = Path.Combine(nginx.Directory, "played.flv");
        var errors = new StringWriter();
        Task<int> playing = CommandLine.InvokeAsync(["play", nginx.Url("live/y"), "--out", recorded, "--duration", "30"],
            new CliEnvironment { Out = new StringWriter(), Error = errors }, CancellationToken.None);
        Assert.True(await nginx.WaitForPlayerAsync("y", TimeSpan.FromSeconds(30)), "our player never asked nginx to play: " + errors);
        var (publishExit, _, publishErrors) = await PeerProcess.RunAsync(TimeSpan.FromSeconds(40), "ffmpeg", "-v", "error", "-re", "-i", sample, "-c", "copy", "-f", "flv", nginx.Url("live/y"));
        Assert.True(publishExit == 0, publishErrors);

        // The player stops on the publisher's end of stream (nginx sends StreamEOF), well before --duration.
        Task finished = await Task.WhenAny(playing, Task.Delay(TimeSpan.FromSeconds(15)));
        Assert.True(finished == playing, "the player did not stop at the end of the stream: " + errors);
        output.WriteLine(errors.ToString());
        Assert.Equal(CommandLine.Success, await playing);

        var (decodeExit, _, decodeErrors) = await PeerProcess.RunAsync(TimeSpan.FromSeconds(60), "ffmpeg", "-v", "error", "-xerror", "-i", recorded, "-f", "null", "-");
        Assert.True(decodeExit == 0 && decodeErrors.Length == 0, "ffmpeg could not decode the recording cleanly: " + decodeErrors);
        Probe source = await Probe.ReadAsync(sample, countFrames: true);
        Probe played = await Probe.ReadAsync(recorded, countFrames: true);
        output.WriteLine($"source {source}; played {played}");
        Assert.Equal(source.VideoCodec, played.VideoCodec);
        Assert.Equal(source.AudioCodec, played.AudioCodec);
        Assert.Equal(source.VideoFrames, played.VideoFrames);
        Assert.Equal(source.AudioFrames, played.AudioFrames);
    }

    [Fact]
    public async Task Publisher_is_live_again_within_5_s_of_nginx_coming_back_and_the_stream_plays()
    {
        string sample = await Samples.H264AacAsync();
        await using NginxRtmp nginx = await NginxRtmp.StartAsync();
        var hub = new StreamHub("local");
        await using var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = RtmpUrl.Parse(nginx.Url("live/z")) }, NullLogger.Instance);
        var states = new List<string>();
        int retries = 0;
        var failedDuringOutage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.StateChanged += (_, state) =>
        {
            lock (states) states.Add(state.ToString());
            // The first Retrying is the drop; the second, an attempt that failed while nginx was down.
            if (state.Kind == PublisherStateKind.Retrying && Interlocked.Increment(ref retries) == 2)
            {
                failedDuringOutage.TrySetResult();
            }
        };
        publisher.Start();
        using var stopFeeding = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<bool> feeding = FileFeeding.LoopAsync(sample, hub, stopFeeding.Token);
        try
        {
            Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, LiveTimeout), $"not live: {publisher.State}");
            var live = Stopwatch.StartNew();
            // Media flows through nginx before the outage: a player there gets a keyframe.
            await using (ProbePlayer before = await ProbePlayer.PlayAsync(nginx.Port, "live", "z"))
            {
                Assert.True(await before.WaitUntilAsync(p => p.Media.Any(m => m.Keyframe), TimeSpan.FromSeconds(15)), "nothing reached nginx before the outage");
            }

            await RefusalWindow.PassAsync(live);
            await nginx.KillAsync();
            Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Retrying, TimeSpan.FromSeconds(5)), $"no retry after the outage: {publisher.State}");
            // A real outage, not a blip: nginx comes back only after a reconnect attempt has failed against it.
            await failedDuringOutage.Task.WaitAsync(TimeSpan.FromSeconds(15));
            await nginx.StartAgainAsync();
            var restarted = Stopwatch.StartNew();
            Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, TimeSpan.FromSeconds(5)),
                $"not live within 5 s of the restart: {publisher.State}; states: {string.Join(" → ", states)}");
            output.WriteLine($"live again {restarted.ElapsedMilliseconds} ms after nginx restarted; states: {string.Join(" → ", states)}");
            Assert.Equal(2, publisher.LiveSessions);

            await using ProbePlayer player = await ProbePlayer.PlayAsync(nginx.Port, "live", "z");
            Assert.True(await player.WaitUntilAsync(p => p.Media.Count(m => m.Keyframe) >= 2 && p.Media.Any(m => m.Type == EdgeRtmp.Protocol.Messages.RtmpMessageType.Audio), TimeSpan.FromSeconds(8)),
                $"the republished stream does not play: {player.Media.Count} messages");
        }
        finally
        {
            await stopFeeding.CancelAsync();
            await feeding;
        }
    }

    [Theory]
    [InlineData("deny/x")]
    [InlineData("nosuchapp/x")]
    public async Task A_refused_publish_is_reported_as_a_refusal_with_the_reason(string path)
    {
        await using NginxRtmp nginx = await NginxRtmp.StartAsync();
        var hub = new StreamHub("local");
        Assert.True(hub.TryStartPublishing(this));
        await using var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = RtmpUrl.Parse(nginx.Url(path)) }, NullLogger.Instance);
        publisher.Start();
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Refused, TimeSpan.FromSeconds(15)), $"not refused: {publisher.State}");
        PublisherState state = publisher.State;
        output.WriteLine(state.ToString());
        Assert.Contains(path.StartsWith("deny", StringComparison.Ordinal) ? "publish" : "connect", state.Reason, StringComparison.Ordinal);
        Assert.InRange(state.RetryIn, TimeSpan.FromSeconds(24), ReconnectBackoff.Cap);
        Assert.Contains(path.StartsWith("deny", StringComparison.Ordinal) ? "access forbidden by rule" : "application not found", nginx.ErrorLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rtmps_publish_goes_live_when_the_ca_is_trusted_and_is_refused_when_it_is_not()
    {
        string sample = await Samples.H264AacAsync();
        TestCertificates certificates = await TestCertificates.CreateAsync();
        await using NginxRtmp nginx = await NginxRtmp.StartAsync(certificates.ServerCertificate, certificates.ServerKey);
        RtmpUrl url = RtmpUrl.Parse($"rtmps://127.0.0.1:{nginx.TlsPort}/live/tls");

        var hub = new StreamHub("local");
        using var stopFeeding = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<bool> feeding = FileFeeding.LoopAsync(sample, hub, stopFeeding.Token);
        try
        {
            await using (var trusting = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = url, TrustedCaFile = certificates.CaCertificate }, NullLogger.Instance))
            {
                trusting.Start();
                Assert.True(await trusting.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, LiveTimeout), $"not live over TLS: {trusting.State}");
                await using ProbePlayer player = await ProbePlayer.PlayAsync(nginx.Port, "live", "tls");
                Assert.True(await player.WaitUntilAsync(p => p.Media.Any(m => m.Keyframe), TimeSpan.FromSeconds(8)), "the TLS-published stream does not play");
            }

            await using var untrusting = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = url }, NullLogger.Instance);
            untrusting.Start();
            Assert.True(await untrusting.WaitForStateAsync(s => s.Kind == PublisherStateKind.Refused, LiveTimeout), $"not refused: {untrusting.State}");
            output.WriteLine(untrusting.State.ToString());
            Assert.StartsWith("TLS failed", untrusting.State.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await stopFeeding.CancelAsync();
            await feeding;
            Directory.Delete(certificates.Directory, recursive: true);
        }
    }

    /// <summary>What ffprobe counts in a file.</summary>
    private sealed record Probe(string? VideoCodec, string? AudioCodec, int VideoPackets, int AudioPackets, int VideoFrames, int AudioFrames, double VideoSpan)
    {
        public static async Task<Probe> ReadAsync(string path, bool countFrames = false)
        {
            string[] arguments = ["-v", "error", "-count_packets", .. countFrames ? new[] { "-count_frames" } : [],
                "-show_entries", "stream=codec_type,codec_name,nb_read_packets,nb_read_frames", "-of", "csv=p=0", path];
            var (exitCode, stdout, stderr) = await PeerProcess.RunAsync(TimeSpan.FromSeconds(60), "ffprobe", arguments);
            Assert.True(exitCode == 0, $"ffprobe {path}: {stderr}");
            string? videoCodec = null, audioCodec = null;
            int videoPackets = 0, audioPackets = 0, videoFrames = 0, audioFrames = 0;
            foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // codec_name,codec_type,nb_read_frames,nb_read_packets (ffprobe's field order)
                string[] fields = line.Split(',');
                int frames = int.TryParse(fields[2], CultureInfo.InvariantCulture, out int f) ? f : 0;
                int packets = int.TryParse(fields[3], CultureInfo.InvariantCulture, out int p) ? p : 0;
                if (fields[1] == "video") { videoCodec = fields[0]; videoPackets = packets; videoFrames = frames; }
                if (fields[1] == "audio") { audioCodec = fields[0]; audioPackets = packets; audioFrames = frames; }
            }

            var (_, times, _) = await PeerProcess.RunAsync(TimeSpan.FromSeconds(60), "ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path);
            double[] pts = [.. times.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => double.TryParse(t.TrimEnd(','), CultureInfo.InvariantCulture, out double v) ? v : double.NaN).Where(v => !double.IsNaN(v))];
            double span = pts.Length > 1 ? pts.Max() - pts.Min() : 0;
            return new Probe(videoCodec, audioCodec, videoPackets, audioPackets, videoFrames, audioFrames, span);
        }
    }
}
