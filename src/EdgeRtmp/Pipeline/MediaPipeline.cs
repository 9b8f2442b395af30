using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline;

/// <summary>A source failed (or stalled, or ended by itself) and runs again after <paramref name="RestartDelay"/>.</summary>
public sealed record MediaSourceFailure(IMediaSource Source, string Reason, TimeSpan RestartDelay);

/// <summary>
/// Runs the sources of one stream side by side (a video source and an audio source, or one file with both) and
/// publishes what they make into a <see cref="StreamHub"/> ("live/cam"). The hub stays claimed for the pipeline's
/// whole life, so players stay connected while a failed source is restarted. Each source is watched on its own: a
/// failure is logged, reported through <see cref="Failed"/>, and that source runs again after the
/// <see cref="RestartPolicy"/>'s delay while the others go on. A source that runs but makes no frame for the stall
/// timeout (a hung encoder, a camera that stopped delivering) is cancelled and counts as failed. One that does not
/// stop when asked makes the pipeline unhealthy (<see cref="UnhealthyReason"/>): the systemd watchdog then stops
/// being fed and systemd restarts the service, which a stuck process cannot do for itself.
/// <para>
/// Each source's <c>onMetaData</c> describes what it makes; with more than one source the pipeline writes the union
/// (the first source's value wins where both set one), so players learn of both the video and the audio.
/// All waiting (stall watch, restart delay) runs on the <see cref="PipelineClock"/>'s <see cref="TimeProvider"/>.
/// </para>
/// </summary>
public sealed class MediaPipeline
{
    /// <summary>How long a running source may go without a frame before it is stopped and restarted.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(10);

    private readonly SourceRun[] _runs;
    private readonly StreamHub _hub;
    private readonly PipelineClock _clock;
    private readonly ILogger _logger;
    private readonly RestartPolicy _restartPolicy;
    private readonly TimeSpan _stallTimeout;
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _metadataGate = new();
    private readonly Lock _conditionGate = new();
    private volatile int _condition;
    private readonly System.Buffers.ArrayBufferWriter<byte> _metadataScratch = new(256);

    public MediaPipeline(
        IReadOnlyList<IMediaSource> sources,
        StreamHub hub,
        PipelineClock clock,
        ILogger logger,
        RestartPolicy? restartPolicy = null,
        TimeSpan? stallTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfZero(sources.Count, nameof(sources));
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        _runs = [.. sources.Select(source => new SourceRun(this, source ?? throw new ArgumentNullException(nameof(sources))))];
        _hub = hub;
        _clock = clock;
        _logger = logger;
        _restartPolicy = restartPolicy ?? RestartPolicy.Default;
        _stallTimeout = stallTimeout ?? DefaultStallTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_stallTimeout, TimeSpan.Zero, nameof(stallTimeout));
        Sources = [.. sources];
    }

    public MediaPipeline(IMediaSource source, StreamHub hub, PipelineClock clock, ILogger logger, RestartPolicy? restartPolicy = null, TimeSpan? stallTimeout = null)
        : this([source], hub, clock, logger, restartPolicy, stallTimeout)
    {
    }

    public IReadOnlyList<IMediaSource> Sources { get; }

    /// <summary>"testcard 640x360@30 + tone 440 Hz": for logs and the status line.</summary>
    public string Description => string.Join(" + ", Sources.Select(source => source.Description));

    public StreamHub Hub => _hub;

    /// <summary>Completes when a source has produced its first frame.</summary>
    public Task FirstFrame => _firstFrame.Task;

    /// <summary>Frames written into the hub, over every source.</summary>
    public long FrameCount => _runs.Sum(run => Interlocked.Read(ref run.Frames));

    /// <summary>Source failures so far (stalls and ends included), over every source.</summary>
    public int FailureCount => _runs.Sum(run => Volatile.Read(ref run.Failures));

    /// <summary>
    /// Why the pipeline is not healthy, or null when it is: a source it stopped for stalling has not ended within another
    /// stall timeout. Waiting to restart a failed source is healthy (the pipeline is doing its job).
    /// </summary>
    public string? UnhealthyReason
    {
        get
        {
            foreach (SourceRun run in _runs)
            {
                if (run.Idle() is not { } idle)
                {
                    continue;
                }

                double idleSeconds = idle.TotalSeconds;
                if (idleSeconds > 2 * _stallTimeout.TotalSeconds)
                {
                    return $"source {run.Source.Description} has made no frame for {idleSeconds:0} s and did not stop when asked";
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Why a source is failed (<see cref="SourceCondition.Failed"/>: its last run's reason, "v4l2:/dev/video9 is not
    /// usable: …"), for the status line; null while none is.
    /// </summary>
    public string? FailureReason
    {
        get
        {
            foreach (SourceRun run in _runs)
            {
                if (run.Condition == SourceCondition.Failed && Volatile.Read(ref run.LastFailure) is { } reason)
                {
                    return reason;
                }
            }

            return null;
        }
    }

    /// <summary>Raised after a source failure, with the reason and the delay before its restart.</summary>
    public event Action<MediaSourceFailure>? Failed;

    /// <summary>
    /// The sources as a whole: <see cref="SourceCondition.Failed"/> while any source has failed (its first run
    /// included) and made no frame since; <see cref="SourceCondition.Producing"/> once every source has made a frame
    /// in its current run; <see cref="SourceCondition.Starting"/> otherwise.
    /// </summary>
    public SourceCondition Condition => (SourceCondition)_condition;

    /// <summary>
    /// Raised when <see cref="Condition"/> changes, from the thread that changed it and outside any lock of the
    /// pipeline. Handlers that must not apply an older value after a newer one read <see cref="Condition"/> again
    /// under a lock of their own rather than trust the argument.
    /// </summary>
    public event Action<SourceCondition>? ConditionChanged;

    /// <summary>
    /// Stops every running source and runs it again at once (the panel's long press: re-open devices). A no-op for a
    /// source waiting to restart.
    /// </summary>
    public void Restart()
    {
        foreach (SourceRun run in _runs)
        {
            run.RequestRestart();
        }
    }

    /// <summary>Publishes until <paramref name="cancellationToken"/> is cancelled. False when another publisher holds the stream.</summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        if (!_hub.TryStartPublishing(this))
        {
            PipelineLog.StreamTaken(_logger, _hub.Name);
            return false;
        }

        try
        {
            var running = new Task[_runs.Length];
            for (int i = 0; i < _runs.Length; i++)
            {
                running[i] = _runs[i].RunAsync(cancellationToken);
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
        finally
        {
            _hub.StopPublishing(this);
        }

        return true;
    }

    private void Write(SourceRun run, ReadOnlySpan<MediaFrame> frames)
    {
        if (_runs.Length > 1)
        {
            foreach (MediaFrame frame in frames)
            {
                if (frame.IsMetadata)
                {
                    WriteMerged(run, frames);
                    return;
                }
            }
        }

        _hub.Write(this, frames);
    }

    /// <summary>A batch with an <c>onMetaData</c> while several sources run: the metadata becomes the union of theirs (rare: cold path).</summary>
    private void WriteMerged(SourceRun run, ReadOnlySpan<MediaFrame> frames)
    {
        MediaFrame[] batch = frames.ToArray();
        MediaFrame? merged = null;
        try
        {
            for (int i = 0; i < batch.Length; i++)
            {
                if (!batch[i].IsMetadata)
                {
                    continue;
                }

                lock (_metadataGate)
                {
                    try
                    {
                        run.Metadata = StreamMetadata.Read(batch[i].Span);
                    }
                    catch (EdgeRtmp.Protocol.RtmpProtocolException)
                    {
                        // Not an onMetaData we can read: pass it on as it is.
                        continue;
                    }

                    StreamMetadata union = default;
                    foreach (SourceRun each in _runs)
                    {
                        if (each.Metadata is { } metadata)
                        {
                            union = Union(union, metadata);
                        }
                    }

                    _metadataScratch.ResetWrittenCount();
                    union.Write(_metadataScratch, withSetDataFrame: false);
                    merged?.Release();
                    merged = MediaFramePool.Shared.Rent(MediaKind.Data, batch[i].Timestamp, batch[i].Flags, _metadataScratch.WrittenSpan);
                    batch[i] = merged;
                }
            }

            _hub.Write(this, batch);
        }
        finally
        {
            merged?.Release();
        }
    }

    /// <summary>Recomputes <see cref="Condition"/> from the sources' own (cold path: a run starting, failing, or its first frame).</summary>
    private void UpdateCondition()
    {
        SourceCondition next;
        lock (_conditionGate)
        {
            next = SourceCondition.Producing;
            foreach (SourceRun run in _runs)
            {
                SourceCondition each = run.Condition;
                if (each == SourceCondition.Failed)
                {
                    next = SourceCondition.Failed;
                    break;
                }

                if (each == SourceCondition.Starting)
                {
                    next = SourceCondition.Starting;
                }
            }

            if ((int)next == _condition)
            {
                return;
            }

            _condition = (int)next;
        }

        ConditionChanged?.Invoke(next);
    }

    private static StreamMetadata Union(StreamMetadata first, StreamMetadata second) => new()
    {
        Duration = first.Duration ?? second.Duration,
        FileSize = first.FileSize ?? second.FileSize,
        Width = first.Width ?? second.Width,
        Height = first.Height ?? second.Height,
        VideoDataRate = first.VideoDataRate ?? second.VideoDataRate,
        FrameRate = first.FrameRate ?? second.FrameRate,
        VideoCodecId = first.VideoCodecId ?? second.VideoCodecId,
        VideoFourCc = first.VideoFourCc ?? second.VideoFourCc,
        AudioDataRate = first.AudioDataRate ?? second.AudioDataRate,
        AudioSampleRate = first.AudioSampleRate ?? second.AudioSampleRate,
        AudioSampleSize = first.AudioSampleSize ?? second.AudioSampleSize,
        Stereo = first.Stereo ?? second.Stereo,
        AudioCodecId = first.AudioCodecId ?? second.AudioCodecId,
        AudioFourCc = first.AudioFourCc ?? second.AudioFourCc,
        Encoder = first.Encoder ?? second.Encoder,
    };

    /// <summary>One source's life in the pipeline: its runs, its stall watch, its restarts; the sink it writes into.</summary>
    private sealed class SourceRun(MediaPipeline pipeline, IMediaSource source) : IMediaSink
    {
        public readonly IMediaSource Source = source;
        public long Frames;
        public int Failures;

        /// <summary>The reason of the last failed run; cleared by a frame.</summary>
        public string? LastFailure;

        /// <summary>Failed runs since the last frame: a source failing the same way again is logged once, not every retry.</summary>
        private int _failuresInARow;

        /// <summary>Pipeline-clock ticks of the last frame or run start, plus one; 0 while the source does not run.</summary>
        private long _lastProgress;

        /// <summary>The source's last onMetaData (under the pipeline's metadata lock).</summary>
        public StreamMetadata? Metadata;

        private CancellationTokenSource? _run;
        private volatile bool _restartRequested;

        /// <summary>A <see cref="SourceCondition"/>: read on every write, changed only on the cold paths.</summary>
        private volatile int _condition;

        public SourceCondition Condition => (SourceCondition)_condition;

        public void RequestRestart()
        {
            CancellationTokenSource? run = Volatile.Read(ref _run);
            if (run is null)
            {
                return;
            }

            _restartRequested = true;
            try
            {
                run.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run just ended.
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            PipelineClock clock = pipeline._clock;
            TimeSpan delay = TimeSpan.Zero;
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan started = clock.Elapsed;
                string reason;
                using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Volatile.Write(ref _run, run);
                MarkProgress();
                Task running = RunSourceAsync(run.Token);
                bool stalled = await WatchForStallAsync(running, run).ConfigureAwait(false);
                try
                {
                    await running.ConfigureAwait(false);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    reason = stalled ? StallReason() : Source.Description + " stopped by itself";
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception exception)
                {
                    reason = stalled ? StallReason() : exception.Message;
                }
                finally
                {
                    Volatile.Write(ref _run, null);
                    Volatile.Write(ref _lastProgress, 0);
                }

                if (_restartRequested && !stalled)
                {
                    _restartRequested = false;
                    PipelineLog.SourceRestarted(pipeline._logger, Source.Description);
                    delay = TimeSpan.Zero;

                    // Asked for: starting again, not failed (a failed source stays failed until it makes a frame).
                    if (_condition == (int)SourceCondition.Producing)
                    {
                        SetCondition(SourceCondition.Starting);
                    }

                    continue;
                }

                _restartRequested = false;
                delay = pipeline._restartPolicy.NextDelay(delay, clock.Elapsed - started);
                Interlocked.Increment(ref Failures);

                // A camera missing for hours fails every 30 s: its first failure is a warning, the same reason again
                // only a debug line, and a frame ends it with one line (SourceRecovered).
                if (Interlocked.Increment(ref _failuresInARow) > 1 && reason == Volatile.Read(ref LastFailure))
                {
                    PipelineLog.SourceFailedAgain(pipeline._logger, reason, delay.TotalSeconds);
                }
                else
                {
                    PipelineLog.SourceFailed(pipeline._logger, reason, delay.TotalSeconds);
                }

                Volatile.Write(ref LastFailure, reason);
                SetCondition(SourceCondition.Failed);
                pipeline.Failed?.Invoke(new MediaSourceFailure(Source, reason, delay));
                try
                {
                    await WaitToRestartAsync(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }

        /// <summary>The restart delay, cut short when the source says what it waits for has appeared (<see cref="IMediaSourceRetryHint"/>).</summary>
        private async Task WaitToRestartAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (Source is not IMediaSourceRetryHint hint)
            {
                await Task.Delay(delay, pipeline._clock.Time, cancellationToken).ConfigureAwait(false);
                return;
            }

            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task delayed = Task.Delay(delay, pipeline._clock.Time, waiting.Token);
            Task hinted;
            try
            {
                hinted = hint.WaitUntilWorthRetryingAsync(waiting.Token);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A hint that cannot watch leaves the delay to decide.
                hinted = Task.FromException(exception);
            }

            Task first = await Task.WhenAny(delayed, hinted).ConfigureAwait(false);
            bool early = first == hinted && hinted.IsCompletedSuccessfully;
            if (first == hinted && !early)
            {
                // The hint failed: the delay decides.
                await delayed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await waiting.CancelAsync().ConfigureAwait(false);
            await hinted.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await delayed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            if (early)
            {
                PipelineLog.RetryingEarly(pipeline._logger, Source.Description);
            }
        }

        /// <summary>The source's run as a task, also when it fails before its first await.</summary>
        private async Task RunSourceAsync(CancellationToken cancellationToken)
        {
            await Task.Yield();
            await Source.RunAsync(this, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Waits for <paramref name="running"/> to end; when no frame came for the stall timeout, cancels it through
        /// <paramref name="run"/> and keeps waiting (however long: <see cref="UnhealthyReason"/> reports a source that
        /// does not stop). True when it was stopped for stalling. One timer at a time, armed for when the source would
        /// have stalled if no frame came meanwhile.
        /// </summary>
        private async Task<bool> WatchForStallAsync(Task running, CancellationTokenSource run)
        {
            PipelineClock clock = pipeline._clock;
            TimeSpan stallTimeout = pipeline._stallTimeout;
            while (!running.IsCompleted)
            {
                TimeSpan idle = Idle() ?? TimeSpan.Zero;
                if (idle >= stallTimeout)
                {
                    await run.CancelAsync().ConfigureAwait(false);
                    await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    return true;
                }

                using var ended = new CancellationTokenSource();
                Task timer = Task.Delay(stallTimeout - idle, clock.Time, ended.Token);
                await Task.WhenAny(running, timer).ConfigureAwait(false);
                await ended.CancelAsync().ConfigureAwait(false);
            }

            return false;
        }

        /// <summary>The first frame of a run (cold path).</summary>
        private void Produced()
        {
            int failures = Interlocked.Exchange(ref _failuresInARow, 0);
            Volatile.Write(ref LastFailure, null);
            if (_condition == (int)SourceCondition.Failed)
            {
                PipelineLog.SourceRecovered(pipeline._logger, Source.Description, failures);
            }

            SetCondition(SourceCondition.Producing);
        }

        private void SetCondition(SourceCondition condition)
        {
            _condition = (int)condition;
            pipeline.UpdateCondition();
        }

        private string StallReason() => $"{Source.Description} made no frame for {pipeline._stallTimeout.TotalSeconds:0.#} s";

        private void MarkProgress() => Volatile.Write(ref _lastProgress, pipeline._clock.Elapsed.Ticks + 1);

        /// <summary>How long since the last frame (or the run's start); null while the source does not run.</summary>
        public TimeSpan? Idle()
        {
            long last = Volatile.Read(ref _lastProgress);
            return last == 0 ? null : TimeSpan.FromTicks(pipeline._clock.Elapsed.Ticks + 1 - last);
        }

        void IMediaSink.Write(ReadOnlySpan<MediaFrame> frames)
        {
            if (frames.IsEmpty)
            {
                return;
            }

            MarkProgress();
            pipeline.Write(this, frames);
            if (_condition != (int)SourceCondition.Producing)
            {
                Produced();
            }

            if (Interlocked.Add(ref Frames, frames.Length) == frames.Length)
            {
                pipeline._firstFrame.TrySetResult();
            }
        }
    }
}
