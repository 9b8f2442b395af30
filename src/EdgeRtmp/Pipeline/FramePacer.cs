using System.Runtime.CompilerServices;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// Waits for the due times of a clockless source's frames (the test card, the tone, a WAV file) on the pipeline
/// clock: one <see cref="PeriodicTimer"/> re-armed for the time left, in whole milliseconds rounded up (its
/// resolution), and armed again for what is left when it fires before the due time, as the system timer can (it
/// counts a coarser clock than the timestamp). No busy loop; the wait's async state is pooled, not boxed per frame.
/// </summary>
internal sealed class FramePacer : IDisposable
{
    private readonly PipelineClock _clock;
    private readonly PeriodicTimer _timer;

    /// <param name="framePeriod">The timer's first period; every wait sets its own.</param>
    public FramePacer(PipelineClock clock, TimeSpan framePeriod)
    {
        _clock = clock;
        _timer = new PeriodicTimer(framePeriod, clock.Time);
    }

    /// <summary>Returns true once the clock reached <paramref name="due"/>, at once if it has; false when cancelled.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> WaitUntilAsync(TimeSpan due, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait = due - _clock.Elapsed;
            if (wait <= TimeSpan.Zero)
            {
                return true;
            }

            _timer.Period = TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait.TotalMilliseconds)));
            try
            {
                await _timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return false;
    }

    public void Dispose() => _timer.Dispose();
}
