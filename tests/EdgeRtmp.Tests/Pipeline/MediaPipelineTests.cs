using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>
/// The pipeline on a fake clock: stalls, restarts and health are driven by advancing time, never by sleeping. A test
/// advances only once the pipeline has armed the timer it waits for (<see cref="ObservedTimeProvider"/>).
/// </summary>
public class MediaPipelineTests
{
    private static readonly TimeSpan s_stall = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_restart = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static readonly RestartPolicy s_policy = new(s_restart, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));

    /// <summary>Waits for the source's signal, failing the test (not going on as if it came) when it does not.</summary>
    private static async Task ReleasedAsync(SemaphoreSlim signal) =>
        Assert.True(await signal.WaitAsync(s_timeout), $"no signal from the source within {s_timeout.TotalSeconds} s");

    [Fact]
    public async Task A_source_that_stops_making_frames_is_stopped_and_restarted_after_the_backoff()
    {
        var time = new ObservedTimeProvider();
        var source = new ScriptedSource("scripted", frames: 3);
        var failures = new List<MediaSourceFailure>();
        var failed = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        MediaPipeline pipeline = NewPipeline(time, [source]);
        pipeline.Failed += failure =>
        {
            lock (failures) failures.Add(failure);
            failed.Release();
        };

        Task<bool> running = pipeline.RunAsync(stop.Token);
        for (int run = 1; run <= 2; run++)
        {
            await ReleasedAsync(source.Idle);
            await StallAsync(time);
            Assert.True(await failed.WaitAsync(s_timeout));
            TimeSpan backoff;
            lock (failures) backoff = failures[^1].RestartDelay;
            await time.WaitForTimerAsync(backoff);
            Assert.Equal(run, source.Runs);
            time.Advance(backoff);
        }

        await ReleasedAsync(source.Idle);
        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));

        Assert.Equal(3, source.Runs);
        Assert.Equal(9, pipeline.FrameCount);
        Assert.Equal(2, pipeline.FailureCount);
        Assert.All(failures, f => Assert.Equal("scripted made no frame for 10 s", f.Reason));
        Assert.All(failures, f => Assert.Same(source, f.Source));
        Assert.Equal([s_restart, 2 * s_restart], failures.Select(f => f.RestartDelay));
        Assert.Null(pipeline.UnhealthyReason);
    }

    [Fact]
    public async Task A_source_making_frames_is_left_alone()
    {
        var time = new ObservedTimeProvider();
        var source = new ScriptedSource("steady", frames: 121, interval: TimeSpan.FromMilliseconds(500), time: time);
        int failures = 0;
        using var stop = new CancellationTokenSource();
        MediaPipeline pipeline = NewPipeline(time, [source]);
        pipeline.Failed += _ => Interlocked.Increment(ref failures);

        Task<bool> running = pipeline.RunAsync(stop.Token);

        // A minute of frames every half second: the watch never sees 10 s without one.
        for (int i = 0; i < 120; i++)
        {
            await ReleasedAsync(source.Paused);
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        await ReleasedAsync(source.Idle);
        Assert.Null(pipeline.UnhealthyReason);
        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
        Assert.Equal(0, failures);
        Assert.Equal(1, source.Runs);
        Assert.Equal(121, pipeline.FrameCount);
    }

    [Fact]
    public async Task A_stalled_source_that_does_not_stop_makes_the_pipeline_unhealthy_until_it_ends()
    {
        var time = new ObservedTimeProvider();
        var source = new ScriptedSource("stuck", frames: 2, honoursCancellation: false);
        var failed = new TaskCompletionSource<MediaSourceFailure>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        MediaPipeline pipeline = NewPipeline(time, [source]);
        pipeline.Failed += failure => failed.TrySetResult(failure);

        Task<bool> running = pipeline.RunAsync(stop.Token);
        await ReleasedAsync(source.Idle);
        await StallAsync(time);
        await source.CancellationSeen.WaitAsync(s_timeout);
        Assert.Null(pipeline.UnhealthyReason);

        // Asked to stop, still running a stall timeout later: unhealthy.
        time.Advance(s_stall + TimeSpan.FromSeconds(1));
        Assert.Equal("source stuck has made no frame for 21 s and did not stop when asked", pipeline.UnhealthyReason);

        // It ends after all: waiting to restart it is healthy again.
        source.Hang.TrySetResult();
        Assert.Equal("stuck made no frame for 10 s", (await failed.Task.WaitAsync(s_timeout)).Reason);
        Assert.Null(pipeline.UnhealthyReason);
        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task Sources_run_side_by_side_and_one_failing_leaves_the_other_running()
    {
        var time = new ObservedTimeProvider();
        var video = new ScriptedSource("video", frames: 1, failAfterFrames: true);
        var audio = new ScriptedSource("audio", frames: 2, kind: MediaKind.Audio);
        var failed = new TaskCompletionSource<MediaSourceFailure>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var hub = new StreamHub("live/cam");
        var player = new RecordingSubscriber();
        hub.Subscribe(player);
        MediaPipeline pipeline = NewPipeline(time, [video, audio], hub);
        pipeline.Failed += failure => failed.TrySetResult(failure);

        Task<bool> running = pipeline.RunAsync(stop.Token);
        MediaSourceFailure failure = await failed.Task.WaitAsync(s_timeout);
        await ReleasedAsync(audio.Idle);

        Assert.Same(video, failure.Source);
        Assert.Equal("video broke", failure.Reason);
        Assert.Equal(1, audio.Runs);
        Assert.Equal("video + audio", pipeline.Description);
        Assert.True(hub.IsPublishing);
        Assert.Equal(2, player.Frames.Count(f => f.Kind == MediaKind.Audio));
        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
        Assert.False(hub.IsPublishing);
    }

    [Fact]
    public async Task The_metadata_of_several_sources_is_merged_into_one()
    {
        var time = new ObservedTimeProvider();
        var video = new ScriptedSource("video", frames: 1, metadata: new StreamMetadata { Width = 640, Height = 360, VideoCodecId = 7 });
        var audio = new ScriptedSource("audio", frames: 1, kind: MediaKind.Audio, metadata: new StreamMetadata { AudioCodecId = 10, AudioSampleRate = 48000 });
        using var stop = new CancellationTokenSource();
        var hub = new StreamHub("live/cam");
        MediaPipeline pipeline = NewPipeline(time, [video, audio], hub);
        Task<bool> running = pipeline.RunAsync(stop.Token);
        await ReleasedAsync(video.Idle);
        await ReleasedAsync(audio.Idle);

        // A late joiner gets the union, whichever source spoke last.
        var player = new RecordingSubscriber();
        hub.Subscribe(player);
        StreamMetadata metadata = StreamMetadata.Read(player.Frames.Single(f => f.IsMetadata).Payload);
        Assert.Equal(640, metadata.Width);
        Assert.Equal(7, metadata.VideoCodecId);
        Assert.Equal(10, metadata.AudioCodecId);
        Assert.Equal(48000, metadata.AudioSampleRate);
        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task Restart_runs_every_source_again_at_once_without_counting_a_failure()
    {
        var time = new ObservedTimeProvider();
        var source = new ScriptedSource("camera", frames: 1);
        using var stop = new CancellationTokenSource();
        MediaPipeline pipeline = NewPipeline(time, [source]);
        Task<bool> running = pipeline.RunAsync(stop.Token);
        await ReleasedAsync(source.Idle);

        pipeline.Restart();
        await ReleasedAsync(source.Idle);

        Assert.Equal(2, source.Runs);
        Assert.Equal(0, pipeline.FailureCount);
        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task The_condition_is_starting_until_every_source_makes_a_frame_and_failed_once_one_fails()
    {
        var time = new ObservedTimeProvider();
        var video = new ScriptedSource("video", frames: 1);
        var audio = new ScriptedSource("audio", frames: 0, kind: MediaKind.Audio);
        var changes = new List<SourceCondition>();
        var failed = new TaskCompletionSource<MediaSourceFailure>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        MediaPipeline pipeline = NewPipeline(time, [video, audio]);
        pipeline.ConditionChanged += condition =>
        {
            lock (changes) changes.Add(condition);
        };
        pipeline.Failed += failure => failed.TrySetResult(failure);
        Assert.Equal(SourceCondition.Starting, pipeline.Condition);

        // Video makes its frame, audio none: still starting. Then the stall timeout: failed.
        Task<bool> running = pipeline.RunAsync(stop.Token);
        await ReleasedAsync(video.Idle);
        await ReleasedAsync(audio.Idle);
        Assert.Equal(SourceCondition.Starting, pipeline.Condition);
        await StallAsync(time);
        await failed.Task.WaitAsync(s_timeout);
        Assert.Equal(SourceCondition.Failed, pipeline.Condition);

        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
        lock (changes) Assert.Equal([SourceCondition.Failed], changes);
    }

    [Fact]
    public async Task A_restart_on_request_is_starting_again_not_failed()
    {
        var time = new ObservedTimeProvider();
        var source = new ScriptedSource("camera", frames: 1);
        var changes = new List<SourceCondition>();
        using var stop = new CancellationTokenSource();
        MediaPipeline pipeline = NewPipeline(time, [source]);
        pipeline.ConditionChanged += condition =>
        {
            lock (changes) changes.Add(condition);
        };
        Task<bool> running = pipeline.RunAsync(stop.Token);
        await ReleasedAsync(source.Idle);
        Assert.Equal(SourceCondition.Producing, pipeline.Condition);

        pipeline.Restart();
        await ReleasedAsync(source.Idle);

        Assert.Equal(SourceCondition.Producing, pipeline.Condition);
        lock (changes) Assert.Equal([SourceCondition.Producing, SourceCondition.Starting, SourceCondition.Producing], changes);
        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task A_stream_with_another_publisher_is_not_run()
    {
        var hub = new StreamHub("live/cam");
        Assert.True(hub.TryStartPublishing(new object()));
        var source = new ScriptedSource("unused", frames: 1);
        Assert.False(await NewPipeline(new ObservedTimeProvider(), [source], hub).RunAsync(CancellationToken.None));
        Assert.Equal(0, source.Runs);
    }

    [Fact]
    public async Task A_source_whose_device_is_missing_fails_is_retried_with_backoff_and_produces_as_soon_as_the_device_appears()
    {
        var time = new ObservedTimeProvider();
        var camera = new MissingDeviceSource();
        var logger = new ListLogger();
        var failures = System.Threading.Channels.Channel.CreateUnbounded<MediaSourceFailure>();
        var conditions = System.Threading.Channels.Channel.CreateUnbounded<SourceCondition>();
        using var stop = new CancellationTokenSource();
        var pipeline = new MediaPipeline([camera], new StreamHub("live/cam"), new PipelineClock(time), logger, s_policy, s_stall);
        pipeline.Failed += failure => failures.Writer.TryWrite(failure);
        pipeline.ConditionChanged += condition => conditions.Writer.TryWrite(condition);

        Task<bool> running = pipeline.RunAsync(stop.Token);

        // The first run fails at once: failed, with the reason for the status line.
        MediaSourceFailure first = await failures.Reader.ReadAsync().AsTask().WaitAsync(s_timeout);
        Assert.Equal(SourceCondition.Failed, await conditions.Reader.ReadAsync().AsTask().WaitAsync(s_timeout));
        Assert.Equal(MissingDeviceSource.Reason, first.Reason);
        Assert.Equal(MissingDeviceSource.Reason, pipeline.FailureReason);
        Assert.Equal(s_restart, first.RestartDelay);

        // Retried after the backoff, failing the same way: the delay doubles; the condition stays failed.
        await time.WaitForTimerAsync(s_restart);
        Assert.Equal(1, camera.Runs);
        time.Advance(s_restart);
        MediaSourceFailure second = await failures.Reader.ReadAsync().AsTask().WaitAsync(s_timeout);
        Assert.Equal(2 * s_restart, second.RestartDelay);
        Assert.Equal(2, camera.Runs);
        Assert.Null(pipeline.UnhealthyReason);

        // The device appears while the pipeline waits out the 6 s: it runs at once, the clock not moved.
        await time.WaitForTimerAsync(2 * s_restart);
        camera.Appear();
        Assert.Equal(SourceCondition.Producing, await conditions.Reader.ReadAsync().AsTask().WaitAsync(s_timeout));
        Assert.Equal(3, camera.Runs);
        Assert.Null(pipeline.FailureReason);
        Assert.Equal(1, pipeline.FrameCount);

        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));

        // One warning for the failure, a debug line for the same failure again, one line when it is back: no flood.
        Assert.Equal([LogLevel.Warning], logger.Lines.Where(line => line.EventId == 1102).Select(line => line.Level));
        Assert.Equal([LogLevel.Debug], logger.Lines.Where(line => line.EventId == 1110).Select(line => line.Level));
        Assert.Equal(1, logger.Count(1112));
        Assert.Contains(logger.Lines, line => line.EventId == 1111 && line.Message == "Source camera producing again after 2 failed run(s)");
    }

    /// <summary>Moves the clock to the stall timeout once the watch is waiting for it.</summary>
    private static async Task StallAsync(ObservedTimeProvider time)
    {
        await time.WaitForTimerAsync(s_stall);
        time.Advance(s_stall);
    }

    private static MediaPipeline NewPipeline(TimeProvider time, IMediaSource[] sources, StreamHub? hub = null) =>
        new(sources, hub ?? new StreamHub("live/cam"), new PipelineClock(time), NullLogger.Instance, s_policy, s_stall);

    /// <summary>
    /// Per run: optional metadata, then a number of frames (with <paramref name="interval"/> between them on the
    /// pipeline's clock), then it fails or waits: for cancellation, or (not honouring it) for <see cref="Hang"/>.
    /// </summary>
    private sealed class ScriptedSource(
        string description,
        int frames,
        bool honoursCancellation = true,
        TimeSpan? interval = null,
        MediaKind kind = MediaKind.Video,
        bool failAfterFrames = false,
        StreamMetadata? metadata = null,
        TimeProvider? time = null) : IMediaSource
    {
        private int _runs;

        public string Description => description;

        public int Runs => Volatile.Read(ref _runs);

        /// <summary>Released each time a run has made its frames and waits.</summary>
        public SemaphoreSlim Idle { get; } = new(0);

        /// <summary>Released each time the source waits between two frames.</summary>
        public SemaphoreSlim Paused { get; } = new(0);

        public Task CancellationSeen => _cancellationSeen.Task;

        public TaskCompletionSource Hang { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private readonly TaskCompletionSource _cancellationSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            if (metadata is { } described)
            {
                var payload = new System.Buffers.ArrayBufferWriter<byte>();
                described.Write(payload, withSetDataFrame: false);
                using var batch = new OwnedFrame(MediaFramePool.Shared.Rent(MediaKind.Data, 0, MediaFrameFlags.Metadata, payload.WrittenSpan));
                sink.Write(batch.Frame);
            }

            for (int i = 0; i < frames; i++)
            {
                MediaFrameFlags flags = kind == MediaKind.Video && i == 0 ? MediaFrameFlags.Keyframe : MediaFrameFlags.None;
                using (var frame = new OwnedFrame(MediaFramePool.Shared.Rent(kind, (uint)i * 20, flags, [0x27, 1, 0, 0, 0])))
                {
                    sink.Write(frame.Frame);
                }

                if (interval is { } pause && i + 1 < frames)
                {
                    Task waiting = Task.Delay(pause, time ?? TimeProvider.System, cancellationToken);
                    Paused.Release();
                    await waiting;
                }
            }

            if (failAfterFrames)
            {
                throw new MediaSourceException(description + " broke");
            }

            using (cancellationToken.Register(() => _cancellationSeen.TrySetResult()))
            {
                Task waiting = honoursCancellation ? Task.Delay(Timeout.Infinite, cancellationToken) : Hang.Task;
                Idle.Release();
                await waiting;
            }
        }
    }

    /// <summary>A camera that is not plugged in until <see cref="Appear"/>: its runs fail at once, then it makes one keyframe and waits.</summary>
    private sealed class MissingDeviceSource : IMediaSource, IMediaSourceRetryHint
    {
        public const string Reason = "v4l2:/dev/video9 is not usable: /dev/video9: no such camera (unplugged, or its driver is not loaded)";

        private readonly TaskCompletionSource _appeared = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public string Description => "camera";

        public int Runs => Volatile.Read(ref _runs);

        public void Appear() => _appeared.TrySetResult();

        public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            if (!_appeared.Task.IsCompleted)
            {
                throw new MediaSourceException(Reason);
            }

            using (var frame = new OwnedFrame(MediaFramePool.Shared.Rent(MediaKind.Video, 0, MediaFrameFlags.Keyframe, [0x17, 1, 0, 0, 0])))
            {
                sink.Write(frame.Frame);
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public Task WaitUntilWorthRetryingAsync(CancellationToken cancellationToken) => _appeared.Task.WaitAsync(cancellationToken);
    }

    private readonly struct OwnedFrame(MediaFrame frame) : IDisposable
    {
        public MediaFrame Frame => frame;

        public void Dispose() => frame.Release();
    }
}
