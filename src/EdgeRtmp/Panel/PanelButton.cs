namespace EdgeRtmp.Panel;

/// <summary>
/// A push button from its edges: a short press on release, a long press once held for <c>longPress</c> (not again on
/// release), with optional software debounce (edges within the window of the last accepted one are bounce). Ours, not
/// Iot.Device.Button.GpioButton: that one fires Press on every release, long press included (a long press would also
/// toggle going live), reads DateTime.UtcNow and starts a System.Threading.Timer per press (no TimeProvider, so no
/// fake-clock tests), and allocates EventArgs and a Timer on every press (docs/ARCHITECTURE.md).
/// Thread-safe: edges come from the GPIO event thread, the hold timer from the thread pool.
/// </summary>
public sealed class PanelButton : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _longPress;
    private readonly TimeSpan _debounce;
    private readonly Func<bool>? _readPressed;
    private readonly ITimer _holdTimer;
    private bool _pressed;
    private bool _longFired;
    private bool _anyEdge;
    private long _lastEdge;
    private long _pressedAt;

    /// <param name="readPressed">Reads the line now; lets a hold whose release was lost to debounce end as a short press.</param>
    public PanelButton(TimeProvider time, TimeSpan longPress, TimeSpan debounce, Func<bool>? readPressed = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(longPress, TimeSpan.Zero);
        _time = time;
        _longPress = longPress;
        _debounce = debounce;
        _readPressed = readPressed;
        _holdTimer = time.CreateTimer(static state => ((PanelButton)state!).OnHold(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public event Action? ShortPress;

    public event Action? LongPress;

    public bool IsPressed
    {
        get
        {
            lock (_gate)
            {
                return _pressed;
            }
        }
    }

    /// <summary>A level change of the (active-level corrected) line: true when pressed.</summary>
    public void OnEdge(bool pressed)
    {
        Action? fire = null;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            if (pressed == _pressed)
            {
                return;
            }

            if (_anyEdge && _debounce > TimeSpan.Zero && _time.GetElapsedTime(_lastEdge, now) < _debounce)
            {
                return;
            }

            _anyEdge = true;
            _lastEdge = now;
            _pressed = pressed;
            if (pressed)
            {
                _longFired = false;
                _pressedAt = now;
                _holdTimer.Change(_longPress, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _holdTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                if (!_longFired)
                {
                    fire = ShortPress;
                }
            }
        }

        fire?.Invoke();
    }

    public void Dispose() => _holdTimer.Dispose();

    private void OnHold()
    {
        Action? fire = null;
        lock (_gate)
        {
            // A callback already queued when the button was released and pressed again must not end the new press early.
            if (!_pressed || _longFired || _time.GetElapsedTime(_pressedAt) < _longPress)
            {
                return;
            }

            if (_readPressed is not null && !_readPressed())
            {
                // The release fell inside the debounce window and was dropped: it was a short press after all.
                _pressed = false;
                fire = ShortPress;
            }
            else
            {
                _longFired = true;
                fire = LongPress;
            }
        }

        fire?.Invoke();
    }
}
