using System.Diagnostics;
using EdgeRtmp.Media;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>In the "pipeline timing" collection: pacing is measured, so these never share the CPU with the x264 of another.</summary>
[Collection("pipeline timing")]
public class FileMediaSourceTests
{
    [Fact]
    public async Task Loops_an_ffmpeg_made_flv_in_real_time_with_increasing_timestamps()
    {
        ExecVideoSourceTests.RequireFfmpeg();
        using var directory = new TempDirectory();
        string file = directory.File("loop.flv");
        using (var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
        [
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", "1", "-c:v", "libx264", "-g", "25", "-bf", "0", "-c:a", "aac", "-f", "flv", file,
        ]) { RedirectStandardError = true, RedirectStandardInput = true })!)
        {
            string errors = await ffmpeg.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await ffmpeg.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(ffmpeg.ExitCode == 0, errors);
        }

        var sink = new RecordingSink();
        var source = new FileMediaSource(file, sink.Clock);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);

        // Real time is the point here (the file stands in for a camera): wait for the third pass of the 1 s file.
        static bool ThirdPassStarted(IReadOnlyList<RecordingSink.Recorded> frames) =>
            frames.Count(f => f.Kind == MediaKind.Video && f.Flags.HasFlag(MediaFrameFlags.SequenceHeader)) >= 3
            && frames.Count(f => f.Kind == MediaKind.Audio && f.Flags.HasFlag(MediaFrameFlags.SequenceHeader)) >= 3
            && frames.Count(f => f.Flags == MediaFrameFlags.Keyframe) >= 3;
        Assert.True(await sink.WaitUntilAsync(ThirdPassStarted, TimeSpan.FromSeconds(60)), "the file did not loop three times");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));

        var frames = sink.Frames;
        Assert.Equal(MediaKind.Data, frames[0].Kind);
        Assert.Equal(MediaFrameFlags.Metadata, frames[0].Flags);
        Assert.True(frames.Count(f => f.Kind == MediaKind.Audio && f.Flags.HasFlag(MediaFrameFlags.SequenceHeader)) >= 3);
        Assert.True(frames.Count(f => f.Flags == MediaFrameFlags.Keyframe) >= 3);

        var video = frames.Where(f => f.Kind == MediaKind.Video && !f.Flags.HasFlag(MediaFrameFlags.SequenceHeader)).ToList();
        for (int i = 1; i < video.Count; i++)
        {
            Assert.True(video[i].Timestamp > video[i - 1].Timestamp, $"video timestamp {video[i].Timestamp} after {video[i - 1].Timestamp}");
        }

        // Two full passes of 25 pictures each came before the third began, 40 ms apart within a pass.
        Assert.True(video.Count >= 50, $"{video.Count} pictures");
        Assert.Equal(40u, video[24].Timestamp - video[23].Timestamp);

        // Paced, never early: each picture leaves once the clock reaches its timestamp. Lateness is bounded only
        // loosely: a loaded 2-core machine may stall the pacing thread.
        var lateness = video.Select(p => p.Arrival.TotalMilliseconds - p.Timestamp).Order().ToList();
        Assert.True(lateness[0] >= -1, $"a picture left {-lateness[0]} ms early");
        Assert.True(lateness[lateness.Count / 2] < 250, $"median lateness {lateness[lateness.Count / 2]} ms");
    }

    [Fact]
    public async Task A_missing_file_fails_with_its_path()
    {
        var source = new FileMediaSource("/nonexistent/loop.flv", new PipelineClock());
        var exception = await Assert.ThrowsAsync<MediaSourceException>(() => source.RunAsync(new NullSink(), CancellationToken.None));
        Assert.StartsWith("file: cannot open /nonexistent/loop.flv: ", exception.Message, StringComparison.Ordinal);
    }
}
