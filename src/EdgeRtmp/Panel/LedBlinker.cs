namespace EdgeRtmp.Panel;

/// <summary>
/// Shows a <see cref="LedPattern"/> on one LED: writes the level at once and, for a blink, toggles it from one
/// periodic timer (half a period per toggle: 500 ms at 1 Hz, 125 ms at 4 Hz). Solid and off patterns stop the timer,
/// so a steady panel never wakes. Nothing allocates after construction.
/// </summary>
public sealed class LedBlinker : IDisposable
{
    public static readonly TimeSpan SlowHalfPeriod = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan FastHalfPeriod = TimeSpan.FromMilliseconds(125);

    private readonly Lock _gate = new();
    private readonly Action<bool> _write;
    private readonly ITimer _timer;
    private LedPattern _pattern;
    private bool _lit;
    private bool _disposed;

    /// <param name="write">Sets the LED (true: lit). Called under the blinker's lock, from the caller or the timer.</param>
    public LedBlinker(Action<bool> write, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(time);
        _write = write;
        _timer = time.CreateTimer(static state => ((LedBlinker)state!).Toggle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _write(false);
    }

    public LedPattern Pattern
    {
        get
        {
            lock (_gate)
            {
                return _pattern;
            }
        }
    }

    public void Set(LedPattern pattern)
    {
        lock (_gate)
        {
            if (pattern == _pattern || _disposed)
            {
                return;
            }

            _pattern = pattern;
            switch (pattern)
            {
                case LedPattern.Off:
                case LedPattern.On:
                    _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    Write(pattern == LedPattern.On);
                    break;
                default:
                    TimeSpan half = pattern == LedPattern.SlowBlink ? SlowHalfPeriod : FastHalfPeriod;
                    Write(true);
                    _timer.Change(half, half);
                    break;
            }
        }
    }

    /// <summary>Stops blinking and turns the LED off (a stopped service leaves no LED claiming anything).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            Write(false);
        }
    }

    private void Toggle()
    {
        lock (_gate)
        {
            if (_disposed || _pattern is LedPattern.Off or LedPattern.On)
            {
                return;
            }

            Write(!_lit);
        }
    }

    private void Write(bool lit)
    {
        _lit = lit;
        _write(lit);
    }
}
