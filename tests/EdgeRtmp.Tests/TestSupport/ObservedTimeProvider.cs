using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when code arms a timer (a <c>Task.Delay</c>, a <c>PeriodicTimer</c>),
/// so a test advances time only once the code under test is waiting: no race between "advance" and "start waiting",
/// and no sleeping.
/// </summary>
public sealed class ObservedTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _armed.Writer.TryWrite(dueTime);
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
}
