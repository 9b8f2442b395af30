using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeRtmp.Interop.Tests.Support;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Interop.Tests.Server;

/// <summary>Our server with real ffmpeg publishers and players: what ffmpeg decodes is what counts.</summary>
public class FfmpegServerTests
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_concurrent_players_decode_every_frame_of_an_ffmpeg_publish()
    {
        string sample = await Samples.H264AacAsync();
        await using LocalServer server = await LocalServer.StartAsync();
        await using PeerProcess publisher = PublishWithFfmpeg(sample, server.Url("live/cam?key=secret"));
        Assert.True(await server.WaitForPublisherAsync("live/cam", TimeSpan.FromSeconds(15)), publisher.StandardError);

        string directory = Directory.CreateTempSubdirectory("edgertmp-play-").FullName;
        string first = Path.Combine(directory, "first.flv");
        string second = Path.Combine(directory, "second.flv");
        Task<(int, string, string)>[] players =
        [
            PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", server.Url("live/cam"), "-t", "4", "-c", "copy", "-f", "flv", first),
            PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", server.Url("live/cam"), "-t", "4", "-c", "copy", "-f", "flv", second),
            PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", server.Url("live/cam"), "-t", "4", "-enc_time_base", "-1", "-f", "null", "-"),
        ];
        (int ExitCode, string Stdout, string Stderr)[] results = await Task.WhenAll(players);

        foreach (var result in results)
        {
            Assert.True(result.ExitCode == 0, result.Stderr);
        }

        // The decoding player printed no decoder error at all.
        Assert.Equal("", results[2].Stderr.Trim());
        foreach (string file in new[] { first, second })
        {
            await AssertDecodesCleanlyAsync(file);
            List<(double Pts, bool Key)> video = await ProbePacketsAsync(file, "v");
            Assert.True(video.Count >= 90, $"{file}: only {video.Count} video frames in 4 s");
            Assert.True(video[0].Key, $"{file}: the first video frame is not a keyframe");
            AssertMonotonic(video.Select(p => p.Pts), file + " video");
            List<(double Pts, bool Key)> audio = await ProbePacketsAsync(file, "a");
            Assert.True(audio.Count >= 100, $"{file}: only {audio.Count} audio frames in 4 s");
            AssertMonotonic(audio.Select(p => p.Pts), file + " audio");
        }
    }

    [Fact]
    public async Task A_player_that_joins_mid_gop_starts_at_once_at_the_cached_keyframe()
    {
        // Keyframes 10 s apart: joining 2 s into the GOP, a player without the cache would wait 8 s for the next one.
        string sample = await Samples.LongGopAsync();
        await using LocalServer server = await LocalServer.StartAsync();
        await using PeerProcess publisher = PublishWithFfmpeg(sample, server.Url("live/cam?key=secret"));
        Assert.True(await server.WaitForPublisherAsync("live/cam", TimeSpan.FromSeconds(15)), publisher.StandardError);

        // Mid-GOP: an early player has seen the keyframe and 2 s of media after it.
        await using ProbePlayer early = await ProbePlayer.PlayAsync(server.Port, "live", "cam");
        static bool IsPicture(ProbePlayer.Received m) => m.Type == RtmpMessageType.Video && !m.SequenceHeader;
        Assert.True(await early.WaitUntilAsync(p => p.Media.Where(IsPicture).Select(m => m.Timestamp).DefaultIfEmpty().Max() >= 2000, TimeSpan.FromSeconds(30)));

        await using ProbePlayer player = await ProbePlayer.PlayAsync(server.Port, "live", "cam");
        Assert.True(await player.WaitUntilAsync(p => p.Media.Any(IsPicture), TimeSpan.FromSeconds(30)));

        ProbePlayer.Received firstFrame = player.Media.First(IsPicture);
        double milliseconds = Stopwatch.GetElapsedTime(player.PlayStartedTicks, firstFrame.ArrivalTicks).TotalMilliseconds;
        Assert.True(firstFrame.Keyframe, "the first video frame is not a keyframe");
        Assert.True(firstFrame.Timestamp < 1000, $"the first picture is from {firstFrame.Timestamp} ms: not the cached keyframe");
        Assert.True(milliseconds < 3000, $"the first frame took {milliseconds:0} ms");
        Assert.Contains(player.Media, m => m.Type == RtmpMessageType.Video && m.SequenceHeader);
        Assert.Equal(["NetStream.Play.Reset", "NetStream.Play.Start"], player.Events.Where(e => e.StartsWith("NetStream", StringComparison.Ordinal)).Take(2));
    }

    [Fact]
    public async Task Players_are_told_when_the_publisher_dies_and_resume_when_it_republishes()
    {
        string sample = await Samples.H264AacAsync();
        await using LocalServer server = await LocalServer.StartAsync();
        PeerProcess publisher = PublishWithFfmpeg(sample, server.Url("live/cam?key=secret"));
        Assert.True(await server.WaitForPublisherAsync("live/cam", TimeSpan.FromSeconds(15)), publisher.StandardError);
        await using ProbePlayer player = await ProbePlayer.PlayAsync(server.Port, "live", "cam");
        Assert.True(await player.WaitUntilAsync(p => p.Media.Count(m => m.Type == RtmpMessageType.Video) > 10, TimeSpan.FromSeconds(10)));

        publisher.Kill();
        await publisher.DisposeAsync();
        Assert.True(await player.WaitUntilAsync(p => p.Events.Contains("StreamEof"), TimeSpan.FromSeconds(10)), string.Join(", ", player.Events));
        Assert.Contains("NetStream.Play.UnpublishNotify", player.Events);
        int framesBefore = player.Media.Count;

        await using PeerProcess again = PublishWithFfmpeg(sample, server.Url("live/cam?key=secret"));
        Assert.True(await player.WaitUntilAsync(p => p.Media.Skip(framesBefore).Count(m => m.Type == RtmpMessageType.Video && !m.SequenceHeader) > 10, TimeSpan.FromSeconds(15)), again.StandardError);
        Assert.Contains("NetStream.Play.PublishNotify", player.Events);
        ProbePlayer.Received resumed = player.Media.Skip(framesBefore).First(m => m.Type == RtmpMessageType.Video && !m.SequenceHeader);
        Assert.True(resumed.Keyframe, "after a republish the first video frame is not a keyframe");
    }

    [Theory]
    [InlineData("live/cam", "a publish key is required")]
    [InlineData("live/cam?key=wrong", "the publish key is wrong")]
    [InlineData("other/cam?key=secret", "Application 'other' does not exist")]
    public async Task A_refused_publish_is_reported_and_the_server_keeps_serving(string path, string reason)
    {
        string sample = await Samples.H264AacAsync();
        await using LocalServer server = await LocalServer.StartAsync();
        var refused = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "info", "-re", "-i", sample, "-t", "3", "-c", "copy", "-f", "flv", server.Url(path));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(reason, refused.Stderr);
        Assert.False(server.Streams.Find("live/cam")?.IsPublishing ?? false);

        await using PeerProcess publisher = PublishWithFfmpeg(sample, server.Url("live/cam?key=secret"));
        Assert.True(await server.WaitForPublisherAsync("live/cam", TimeSpan.FromSeconds(15)), publisher.StandardError);
        await using ProbePlayer player = await ProbePlayer.PlayAsync(server.Port, "live", "cam");
        Assert.True(await player.WaitUntilAsync(p => p.Media.Any(m => m.Keyframe), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_second_publisher_on_the_same_path_is_refused_with_bad_name()
    {
        string sample = await Samples.H264AacAsync();
        await using LocalServer server = await LocalServer.StartAsync();
        await using PeerProcess publisher = PublishWithFfmpeg(sample, server.Url("live/cam?key=secret"));
        Assert.True(await server.WaitForPublisherAsync("live/cam", TimeSpan.FromSeconds(15)), publisher.StandardError);

        var second = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "info", "-re", "-i", sample, "-t", "3", "-c", "copy", "-f", "flv", server.Url("live/cam?key=secret"));
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("already being published", second.Stderr);
        Assert.False(publisher.HasExited, "the first publisher was disturbed");
    }

    internal static PeerProcess PublishWithFfmpeg(string sample, string url) =>
        PeerProcess.Start("ffmpeg", "-v", "error", "-re", "-stream_loop", "-1", "-i", sample, "-c", "copy", "-f", "flv", url);

    private static async Task AssertDecodesCleanlyAsync(string file)
    {
        var (exitCode, _, stderr) = await PeerProcess.RunAsync(PeerTimeout, "ffmpeg", "-v", "error", "-i", file, "-f", "null", "-");
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr.Trim());
    }

    private static async Task<List<(double Pts, bool Key)>> ProbePacketsAsync(string file, string stream)
    {
        var (exitCode, stdout, stderr) = await PeerProcess.RunAsync(PeerTimeout, "ffprobe", "-v", "error", "-select_streams", stream,
            "-show_entries", "packet=pts_time,flags", "-of", "json", file);
        Assert.True(exitCode == 0, stderr);
        using JsonDocument document = JsonDocument.Parse(stdout);
        var packets = new List<(double, bool)>();
        foreach (JsonElement packet in document.RootElement.GetProperty("packets").EnumerateArray())
        {
            double pts = double.Parse(packet.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture);
            packets.Add((pts, packet.GetProperty("flags").GetString()!.Contains('K')));
        }

        return packets;
    }

    private static void AssertMonotonic(IEnumerable<double> values, string what)
    {
        double previous = double.MinValue;
        foreach (double value in values)
        {
            Assert.True(value >= previous, $"{what}: {value} after {previous}");
            previous = value;
        }
    }
}
