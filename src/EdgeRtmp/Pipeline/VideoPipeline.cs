using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// Runs one <see cref="IVideoSource"/> and publishes what it makes into a <see cref="StreamHub"/> ("live/cam"). The hub
/// stays claimed for the pipeline's whole life, so players stay connected while a failed source is restarted; a
/// failure is logged, reported through <see cref="Failed"/>, and the source runs again after the
/// <see cref="RestartPolicy"/>'s delay. A source that runs but makes no frame for the stall timeout (a hung encoder,
/// a camera that stopped delivering) is stopped and counts as failed. One that does not stop when asked makes the
/// pipeline unhealthy (<see cref="UnhealthyReason"/>): the systemd watchdog then stops being fed and systemd restarts
/// the service, which a stuck process cannot do for itself.
/// </summary>
public sealed class VideoPipeline : IVideoFrameSink
{
    private readonly IVideoSource _source;
    private readonly StreamHub _hub;
    private readonly PipelineClock _clock;
    private readonly ILogger _logger;
    private readonly RestartPolicy _restartPolicy;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly TimeSpan _stallTimeout;
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _frames;
    private int _failures;

    /// <summary>Pipeline-clock milliseconds of the last frame or source start; 0 while no source runs (not started, waiting to restart).</summary>
    private long _lastProgressMs;

    /// <summary>How long a running source may go without a frame before it is stopped and restarted.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest the stall watch sleeps: how soon it notices a source that ended.</summary>
    private static readonly TimeSpan s_maxWatchInterval = TimeSpan.FromSeconds(1);

    /// <param name="delay">How to wait before a restart; tests pass one that returns at once.</param>
    public VideoPipeline(
        IVideoSource source,
        StreamHub hub,
        PipelineClock clock,
        ILogger logger,
        RestartPolicy? restartPolicy = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        TimeSpan? stallTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        _source = source;
        _hub = hub;
        _clock = clock;
        _logger = logger;
        _restartPolicy = restartPolicy ?? RestartPolicy.Default;
        _delay = delay ?? Task.Delay;
        _stallTimeout = stallTimeout ?? DefaultStallTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_stallTimeout, TimeSpan.Zero, nameof(stallTimeout));
    }

    public IVideoSource Source => _source;

    /// <summary>Completes when the source has produced its first frame.</summary>
    public Task FirstFrame => _firstFrame.Task;

    public long FrameCount => Interlocked.Read(ref _frames);

    public int FailureCount => Volatile.Read(ref _failures);

    /// <summary>
    /// Why the pipeline is not healthy, or null when it is: a source it stopped for stalling has not ended within another
    /// stall timeout. Waiting to restart a failed source is healthy (the pipeline is doing its job).
    /// </summary>
    public string? UnhealthyReason
    {
        get
        {
            long last = Volatile.Read(ref _lastProgressMs);
            if (last == 0)
            {
                return null;
            }

            double idleSeconds = (_clock.Elapsed.TotalMilliseconds - last) / 1000;
            return idleSeconds > 2 * _stallTimeout.TotalSeconds
                ? $"video source {_source.Description} has made no frame for {idleSeconds:0} s and did not stop when asked"
                : null;
        }
    }

    /// <summary>Raised after a source failure, with the reason and the delay before the restart.</summary>
    public event Action<string, TimeSpan>? Failed;

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
            TimeSpan delay = TimeSpan.Zero;
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan started = _clock.Elapsed;
                string reason;
                using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
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

                    reason = stalled ? StallReason() : _source.Description + " stopped by itself";
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
                    Volatile.Write(ref _lastProgressMs, 0);
                }

                delay = _restartPolicy.NextDelay(delay, _clock.Elapsed - started);
                Interlocked.Increment(ref _failures);
                PipelineLog.SourceFailed(_logger, reason, delay.TotalSeconds);
                Failed?.Invoke(reason, delay);
                try
                {
                    await _delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        finally
        {
            _hub.StopPublishing(this);
        }

        return true;
    }

    /// <summary>The source's run as a task, also when it fails before its first await.</summary>
    private async Task RunSourceAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        await _source.RunAsync(this, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for <paramref name="running"/> to end; when no frame came for the stall timeout, cancels it through
    /// <paramref name="run"/> and keeps waiting. True when it was stopped for stalling.
    /// </summary>
    private async Task<bool> WatchForStallAsync(Task running, CancellationTokenSource run)
    {
        bool stalled = false;
        while (!running.IsCompleted)
        {
            TimeSpan idle = TimeSpan.FromMilliseconds(_clock.Elapsed.TotalMilliseconds - Volatile.Read(ref _lastProgressMs));
            if (!stalled && idle >= _stallTimeout && !run.IsCancellationRequested)
            {
                stalled = true;
                await run.CancelAsync().ConfigureAwait(false);
            }

            TimeSpan wait = stalled ? s_maxWatchInterval : _stallTimeout - idle;
            wait = wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait > s_maxWatchInterval ? s_maxWatchInterval : wait;
            await Task.WhenAny(running, Task.Delay(wait, CancellationToken.None)).ConfigureAwait(false);
        }

        return stalled;
    }

    private string StallReason() => $"{_source.Description} made no frame for {_stallTimeout.TotalSeconds:0.#} s";

    private void MarkProgress() => Volatile.Write(ref _lastProgressMs, Math.Max(1, (long)_clock.Elapsed.TotalMilliseconds));

    void IVideoFrameSink.OnFrame(MediaFrame frame)
    {
        MarkProgress();
        _hub.Write(this, frame);
        if (Interlocked.Increment(ref _frames) == 1)
        {
            _firstFrame.TrySetResult();
        }
    }
}
