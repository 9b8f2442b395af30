using System.Diagnostics;
using System.Threading.Channels;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>In the "pipeline timing" collection: pacing is measured, so these never share the CPU with the x264 of another.</summary>
[Collection("pipeline timing")]
public class ExecVideoSourceTests
{
    public const string FfmpegCommand =
        "ffmpeg -v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -c:v libx264 -g 25 -bsf:v h264_mp4toannexb -f h264 -";

    [Fact]
    public async Task Ffmpeg_on_stdout_gives_metadata_a_sequence_header_and_keyframes_and_is_killed_on_stop()
    {
        RequireFfmpeg();
        var sink = new RecordingSink();
        var source = new ExecVideoSource(FfmpegCommand, sink.Clock, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);

        bool enough = await sink.WaitUntilAsync(
            frames => frames.Count(f => f.Flags == MediaFrameFlags.Keyframe) >= 2 && frames.Count >= 80, TimeSpan.FromSeconds(30));
        int processId = source.ProcessId;
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.True(enough, $"only {sink.Frames.Count} frames");
        var frames = sink.Frames;
        Assert.Equal(MediaFrameFlags.Metadata, frames[0].Flags);
        var metadata = StreamMetadata.Read(frames[0].Payload);
        Assert.Equal(320, metadata.Width);
        Assert.Equal(240, metadata.Height);
        Assert.True(FlvPayload.IsVideoSequenceHeader(frames[1].Payload));
        Assert.True(FlvPayload.IsVideoKeyframe(frames[2].Payload));
        var pictures = frames.Skip(2).ToList();
        Assert.True(pictures.Count >= 26, $"{pictures.Count} pictures");
        for (int i = 1; i < pictures.Count; i++)
        {
            Assert.True(pictures[i].Timestamp > pictures[i - 1].Timestamp);
        }

        // No pacing check: stamps are arrival times, and ffmpeg's 32 KB output buffer delivers these small pictures in
        // bursts (rpicam-vid writes each picture as it is encoded).
        Assert.NotEqual(0, processId);
        Assert.False(IsRunning(processId), "the encoder still runs after stop");
        Assert.Equal(0, source.ProcessId);
    }

    [Fact]
    public async Task A_command_that_exits_at_once_is_restarted_with_doubling_backoff_and_reported()
    {
        // The restart delays run on a fake clock, advanced once the pipeline waits: the test takes as long as six runs
        // of `false`, not the 61 s of backoff.
        var time = new ObservedTimeProvider();
        var clock = new PipelineClock(time);
        var source = new ExecVideoSource("false", clock, NullLogger.Instance);
        var hub = new StreamHub("live/cam");
        var failures = Channel.CreateUnbounded<MediaSourceFailure>();
        using var stop = new CancellationTokenSource();
        var pipeline = new MediaPipeline(source, hub, clock, NullLogger.Instance);
        pipeline.Failed += failure => failures.Writer.TryWrite(failure);

        Task<bool> running = pipeline.RunAsync(stop.Token);
        var seen = new List<MediaSourceFailure>();
        for (int i = 0; i < 6; i++)
        {
            MediaSourceFailure failure = await failures.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            seen.Add(failure);
            await time.WaitForTimerAsync(failure.RestartDelay);
            if (i < 5)
            {
                time.Advance(failure.RestartDelay);
            }
        }

        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal([1, 2, 4, 8, 16, 30], seen.Select(f => f.RestartDelay.TotalSeconds));
        Assert.Equal(6, pipeline.FailureCount);
        Assert.All(seen, f => Assert.Matches("^exec: \"false\" exited with code 1 after [0-9.]+ s$", f.Reason));
        Assert.False(hub.IsPublishing);
        Assert.Equal(0, pipeline.FrameCount);
    }

    internal static void RequireFfmpeg()
    {
        if (!File.Exists("/usr/bin/ffmpeg") && !File.Exists("/usr/local/bin/ffmpeg"))
        {
            throw new InvalidOperationException("ffmpeg is not installed; scripts/test.sh installs it (apt-get install ffmpeg).");
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
