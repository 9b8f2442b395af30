using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when code arms a timer (a <c>Task.Delay</c>, a <c>PeriodicTimer</c>, a
/// timer's <c>Change</c>), so a test advances time only once the code under test is waiting: no race between
/// "advance" and "start waiting", and no sleeping. Its timers can be made to fire early, the way the system timer
/// (it counts a coarse clock, 4 ms ticks at HZ=250) can fire before a nanosecond timestamp says the time is up.
/// </summary>
/// <param name="fireEarly">How much before their due time timers fire; a due time no longer than this is kept.</param>
public sealed class ObservedTimeProvider(TimeSpan fireEarly = default) : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this, base.CreateTimer(callback, state, Early(dueTime), period));
        Armed(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer armed (since the last wait), once it is armed.</summary>
    public ValueTask<TimeSpan> NextTimerAsync(CancellationToken cancellationToken) => _armed.Reader.ReadAsync(cancellationToken);

    /// <summary>Waits until a timer due in exactly <paramref name="dueTime"/> has been armed (since the last such wait).</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, TimeSpan? timeout = null)
    {
        using var expiry = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (await _armed.Reader.ReadAsync(expiry.Token) != dueTime)
        {
        }
    }

    private TimeSpan Early(TimeSpan dueTime) =>
        dueTime == Timeout.InfiniteTimeSpan || dueTime <= fireEarly ? dueTime : dueTime - fireEarly;

    private void Armed(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _armed.Writer.TryWrite(dueTime);
        }
    }

    private sealed class ObservedTimer(ObservedTimeProvider time, ITimer timer) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = timer.Change(time.Early(dueTime), period);
            time.Armed(dueTime);
            return changed;
        }

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
