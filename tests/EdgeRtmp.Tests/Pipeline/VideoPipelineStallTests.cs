using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>A source that stops making frames is restarted; one that cannot be stopped makes the pipeline unhealthy.</summary>
public class VideoPipelineStallTests
{
    private static readonly TimeSpan s_stall = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_source_that_stops_making_frames_is_stopped_and_restarted()
    {
        var source = new ScriptedSource(frames: 3, honoursCancellation: true);
        var reasons = new List<string>();
        using var stop = new CancellationTokenSource();
        var pipeline = NewPipeline(source, (_, _) =>
        {
            if (reasons.Count == 2)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        });
        pipeline.Failed += (reason, _) => reasons.Add(reason);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(await pipeline.RunAsync(stop.Token).WaitAsync(s_timeout));

        Assert.Equal(["scripted made no frame for 0.3 s", "scripted made no frame for 0.3 s"], reasons);
        Assert.Equal(2, source.Runs);
        Assert.Equal(6, pipeline.FrameCount);
        Assert.True(clock.Elapsed >= 2 * s_stall, $"two stalls took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Null(pipeline.UnhealthyReason);
    }

    [Fact]
    public async Task A_source_that_keeps_making_frames_is_left_alone()
    {
        var source = new ScriptedSource(frames: int.MaxValue, honoursCancellation: true, interval: TimeSpan.FromMilliseconds(20));
        var failures = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.2));
        var pipeline = NewPipeline(source, (_, _) => Task.CompletedTask);
        pipeline.Failed += (_, _) => failures++;

        Task<bool> running = pipeline.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(0.8));
        Assert.Null(pipeline.UnhealthyReason);
        Assert.True(await running.WaitAsync(s_timeout));

        Assert.Equal(0, failures);
        Assert.Equal(1, source.Runs);
        Assert.True(pipeline.FrameCount > 5, $"{pipeline.FrameCount} frames");
    }

    [Fact]
    public async Task A_stalled_source_that_does_not_stop_makes_the_pipeline_unhealthy_until_it_ends()
    {
        var source = new ScriptedSource(frames: 2, honoursCancellation: false);
        var restarting = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var pipeline = NewPipeline(source, async (_, _) =>
        {
            restarting.TrySetResult();
            await release.Task;
            stop.Cancel();
        });

        Task<bool> running = pipeline.RunAsync(stop.Token);
        Assert.Null(pipeline.UnhealthyReason);

        // Cancelled after 0.3 s without a frame; still running at twice that: unhealthy.
        string? reason = null;
        Assert.True(SpinWait.SpinUntil(() => (reason = pipeline.UnhealthyReason) is not null, s_timeout));
        Assert.Matches("^video source scripted has made no frame for [0-9]+ s and did not stop when asked$", reason);
        Assert.True(source.CancellationSeen, "the stalled source was never asked to stop");

        // It ends after all: waiting to restart it is healthy again.
        source.Hang.TrySetResult();
        await restarting.Task.WaitAsync(s_timeout);
        Assert.Null(pipeline.UnhealthyReason);
        release.TrySetResult();
        Assert.True(await running.WaitAsync(s_timeout));
    }

    private static VideoPipeline NewPipeline(IVideoSource source, Func<TimeSpan, CancellationToken, Task> delay) =>
        new(source, new StreamHub("live/cam"), new PipelineClock(), NullLogger.Instance, RestartPolicy.Default, delay, s_stall);

    /// <summary>Makes a number of frames, then waits: for cancellation, or (not honouring it) for <see cref="Hang"/>.</summary>
    private sealed class ScriptedSource(int frames, bool honoursCancellation, TimeSpan? interval = null) : IVideoSource
    {
        public string Description => "scripted";

        public int Runs { get; private set; }

        public bool CancellationSeen { get; private set; }

        public TaskCompletionSource Hang { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync(IVideoFrameSink sink, CancellationToken cancellationToken)
        {
            Runs++;
            for (int i = 0; i < frames; i++)
            {
                MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Video, (uint)i * 20, i == 0 ? MediaFrameFlags.Keyframe : MediaFrameFlags.None, [0x27, 1, 0, 0, 0]);
                sink.OnFrame(frame);
                frame.Release();
                if (interval is { } pause)
                {
                    await Task.Delay(pause, cancellationToken);
                }
            }

            using (cancellationToken.Register(() => CancellationSeen = true))
            {
                if (honoursCancellation)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                else
                {
                    await Hang.Task;
                }
            }
        }
    }
}
