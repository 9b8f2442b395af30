using System.Threading.Tasks.Sources;

namespace EdgeRtmp.Net.Connection;

/// <summary>
/// An auto-reset event for one waiter that allocates nothing per wait. <see cref="Set"/> never runs the
/// waiter inline: the publisher that signals a subscriber's send loop must not end up running it.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private bool _isSet;
    private bool _waiting;

    public ValueTask WaitAsync()
    {
        lock (_gate)
        {
            if (_isSet)
            {
                _isSet = false;
                return default;
            }

            _core.Reset();
            _waiting = true;
            return new ValueTask(this, _core.Version);
        }
    }

    public void Set()
    {
        lock (_gate)
        {
            if (!_waiting)
            {
                _isSet = true;
                return;
            }

            _waiting = false;
        }

        _core.SetResult(true);
    }

    public void GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
