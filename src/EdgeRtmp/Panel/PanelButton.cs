namespace EdgeRtmp.Panel;

/// <summary>
/// A push button from its edges: a short press on release, a long press once held for <c>longPress</c> (not again on
/// release), with optional software debounce on the leading edge: an edge is acted on at once, and the edges within the
/// window after it are bounce. When the line can be read, it is read again as the window closes: a level that differs
/// from the one acted on means the bounce settled elsewhere (a press shorter than the window is noise and is dropped; a
/// press that began inside the window after a release starts then). Acting on the first edge is what keeps a press
/// within the panel's 50 ms budget: the kernel's debounce reports an edge only once the line has been still for the
/// whole period (docs/ARCHITECTURE.md). Ours, not
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
    private readonly ITimer _settleTimer;
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
        _settleTimer = time.CreateTimer(static state => ((PanelButton)state!).OnSettled(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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
            if (_debounce > TimeSpan.Zero && _readPressed is not null)
            {
                _settleTimer.Change(_debounce, Timeout.InfiniteTimeSpan);
            }

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

    public void Dispose()
    {
        _holdTimer.Dispose();
        _settleTimer.Dispose();
    }

    /// <summary>The debounce window after an accepted edge has closed: the line's level now is the one that counts.</summary>
    private void OnSettled()
    {
        lock (_gate)
        {
            if (!_anyEdge)
            {
                return;
            }

            TimeSpan left = _debounce - _time.GetElapsedTime(_lastEdge);
            if (left > TimeSpan.Zero)
            {
                // Early (see OnHold), or a callback queued before the latest edge re-armed the window.
                _settleTimer.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }

            if (_readPressed!() == _pressed)
            {
                return;
            }

            if (_pressed)
            {
                // Pressed and let go within the window: a glitch or a bounce, not a press a person made.
                _pressed = false;
                _holdTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            else
            {
                // Released, then pressed again inside the window: that press starts now.
                _pressed = true;
                _longFired = false;
                _pressedAt = _time.GetTimestamp();
                _holdTimer.Change(_longPress, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnHold()
    {
        Action? fire = null;
        lock (_gate)
        {
            if (!_pressed || _longFired)
            {
                return;
            }

            // Early: the system timer counts in the kernel's coarse ticks (4 ms at HZ=250), the timestamp in
            // nanoseconds, so it can fire a tick before the hold is complete; dropping that callback turned a long press
            // into a short one. Also a callback queued before a release and a new press: that press's own time counts.
            TimeSpan left = _longPress - _time.GetElapsedTime(_pressedAt);
            if (left > TimeSpan.Zero)
            {
                _holdTimer.Change(left, Timeout.InfiniteTimeSpan);
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
