using System.Diagnostics;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Protocol.Messages.Commands;
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
        var clock = new PipelineClock();
        var source = new ExecVideoSource("false", clock, NullLogger.Instance);
        var hub = new StreamHub("live/cam");
        var delays = new List<TimeSpan>();
        var reasons = new List<string>();
        using var stop = new CancellationTokenSource();
        var pipeline = new VideoPipeline(source, hub, clock, NullLogger.Instance, RestartPolicy.Default, (delay, _) =>
        {
            lock (delays)
            {
                delays.Add(delay);
                if (delays.Count == 6)
                {
                    stop.Cancel();
                }
            }

            return Task.CompletedTask;
        });
        pipeline.Failed += (reason, _) => { lock (reasons) reasons.Add(reason); };

        Assert.True(await pipeline.RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal([1, 2, 4, 8, 16, 30], delays.Select(d => d.TotalSeconds));
        Assert.Equal(6, pipeline.FailureCount);
        Assert.All(reasons, reason => Assert.Matches("^exec: \"false\" exited with code 1 after [0-9.]+ s$", reason));
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
