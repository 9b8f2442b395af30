using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// Runs one <see cref="IVideoSource"/> and publishes what it makes into a <see cref="StreamHub"/> ("live/cam"). The hub
/// stays claimed for the pipeline's whole life, so players stay connected while a failed source is restarted; a
/// failure is logged, reported through <see cref="Failed"/>, and the source runs again after the
/// <see cref="RestartPolicy"/>'s delay.
/// </summary>
public sealed class VideoPipeline : IVideoFrameSink
{
    private readonly IVideoSource _source;
    private readonly StreamHub _hub;
    private readonly PipelineClock _clock;
    private readonly ILogger _logger;
    private readonly RestartPolicy _restartPolicy;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _frames;
    private int _failures;

    /// <param name="delay">How to wait before a restart; tests pass one that returns at once.</param>
    public VideoPipeline(
        IVideoSource source,
        StreamHub hub,
        PipelineClock clock,
        ILogger logger,
        RestartPolicy? restartPolicy = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null)
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
    }

    public IVideoSource Source => _source;

    /// <summary>Completes when the source has produced its first frame.</summary>
    public Task FirstFrame => _firstFrame.Task;

    public long FrameCount => Interlocked.Read(ref _frames);

    public int FailureCount => Volatile.Read(ref _failures);

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
                try
                {
                    await _source.RunAsync(this, cancellationToken).ConfigureAwait(false);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    reason = _source.Description + " stopped by itself";
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception exception)
                {
                    reason = exception.Message;
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

    void IVideoFrameSink.OnFrame(MediaFrame frame)
    {
        _hub.Write(this, frame);
        if (Interlocked.Increment(ref _frames) == 1)
        {
            _firstFrame.TrySetResult();
        }
    }
}
