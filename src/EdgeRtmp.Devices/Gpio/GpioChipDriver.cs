using System.Device.Gpio;
using EdgeRtmp.Devices.Gpio.Native;

namespace EdgeRtmp.Devices.Gpio;

/// <summary>
/// A System.Device.Gpio driver over the kernel's GPIO character device uAPI v2, with no native library: one line
/// request per pin (so each pin keeps its own direction, bias, active-low, drive and kernel debounce), values through
/// GET/SET_VALUES, edge events read by <see cref="GpioEventLoop"/>'s thread blocked in poll. Pin numbers are line
/// offsets on the chip; <see cref="FindLine"/> turns a line name ("GPIO17") into one.
/// Use it through <c>new GpioController(driver)</c>. Edge callbacks run on the event thread and receive one of two
/// event-argument objects made per pin at open time: delivering an edge allocates nothing.
/// </summary>
public sealed class GpioChipDriver : GpioDriver, IGpioEventSink
{
    private readonly object _gate = new();
    private readonly GpioChip _chip;
    private readonly string _consumer;
    private readonly Line?[] _lines;
    private GpioEventLoop? _events;

    /// <param name="chip">A path, kernel name or label (see <see cref="GpioChip.Open"/>); "auto" finds the Raspberry Pi's.</param>
    /// <param name="consumer">The name other processes see on our lines (gpioinfo, `edgertmp devices`).</param>
    public GpioChipDriver(string chip = "auto", string consumer = "edgertmp")
        : this(GpioChip.Open(chip), consumer)
    {
    }

    public GpioChipDriver(GpioChip chip, string consumer = "edgertmp")
    {
        _chip = chip;
        _consumer = consumer;
        _lines = new Line?[chip.LineCount];
    }

    public GpioChip Chip => _chip;

    /// <summary>An exception from an edge callback: the event thread reports it here and goes on.</summary>
    public event Action<Exception>? CallbackFailed;

    protected override int PinCount => _chip.LineCount;

    /// <summary>The pin number (line offset) of a line named "GPIO17" or given as "17".</summary>
    public int FindLine(string line) => _chip.FindLine(line);

    /// <summary>Active-low, drive and kernel debounce for a pin; applies from its next mode change (or at once if it has a mode).</summary>
    public void ConfigureLine(int pinNumber, GpioLineOptions options)
    {
        lock (_gate)
        {
            Line line = GetOrCreate(pinNumber);
            line.Options = options;
            if (line.Request is not null)
            {
                line.Request.Reconfigure(Settings(line, line.Mode, line.Mode == PinMode.Output && line.Request.Read()));
            }
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            GetOrCreate(pinNumber);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            Line? line = Find(pinNumber);
            if (line is null)
            {
                return;
            }

            Release(line);
            _lines[pinNumber] = null;
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => SetPinMode(pinNumber, mode, PinValue.Low);

    /// <summary>
    /// The line is requested here, not at open: the kernel needs the direction at request time, and requesting an LED
    /// line as an input first would let it float. A line already requested is reconfigured in place (SET_CONFIG).
    /// </summary>
    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        lock (_gate)
        {
            Line line = GetOrCreate(pinNumber);
            GpioLineSettings settings = Settings(line, mode, initialValue == PinValue.High);
            if (line.Request is null)
            {
                line.Request = _chip.RequestLine(pinNumber, settings, _consumer);
            }
            else
            {
                line.Request.Reconfigure(settings);
            }

            bool wasInput = line.Mode != PinMode.Output && line.HasMode;
            line.Mode = mode;
            line.HasMode = true;
            bool isInput = mode != PinMode.Output;
            if (isInput && !wasInput)
            {
                _events ??= CreateEventLoop();
                _events.Watch(line.Request.Handle, pinNumber);
            }
            else if (!isInput && wasInput)
            {
                _events?.Unwatch(line.Request.Handle);
            }
        }
    }

    protected override PinMode GetPinMode(int pinNumber) => Requested(pinNumber).Mode;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber) => Requested(pinNumber).Request!.Read() ? PinValue.High : PinValue.Low;

    protected override void Write(int pinNumber, PinValue value) => Requested(pinNumber).Request!.Write(value == PinValue.High);

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Line line = GetOrCreate(pinNumber);
            line.Callbacks = [.. line.Callbacks, (eventTypes, callback)];
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Line? line = Find(pinNumber);
            if (line is not null)
            {
                line.Callbacks = Array.FindAll(line.Callbacks, entry => entry.Callback != callback);
            }
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var signal = new ManualResetEventSlim();
        PinEventTypes seen = PinEventTypes.None;
        void OnEdge(object sender, PinValueChangedEventArgs e)
        {
            seen = e.ChangeType;
            signal.Set();
        }

        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnEdge);
        try
        {
            signal.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = seen, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnEdge);
        }
    }

    void IGpioEventSink.OnLineEvent(int pin, in gpio_v2_line_event lineEvent)
    {
        Line? line = (uint)pin < (uint)_lines.Length ? Volatile.Read(ref _lines[pin]) : null;
        if (line is null)
        {
            return;
        }

        bool rising = lineEvent.id == GpioUapi.GPIO_V2_LINE_EVENT_RISING_EDGE;
        PinEventTypes type = rising ? PinEventTypes.Rising : PinEventTypes.Falling;
        PinValueChangedEventArgs args = rising ? line.RisingArgs : line.FallingArgs;
        foreach ((PinEventTypes types, PinChangeEventHandler callback) in line.Callbacks)
        {
            if ((types & type) != 0)
            {
                callback(this, args);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            GpioEventLoop? events;
            lock (_gate)
            {
                events = _events;
                _events = null;
            }

            events?.Dispose();
            lock (_gate)
            {
                for (int pin = 0; pin < _lines.Length; pin++)
                {
                    if (_lines[pin] is { } line)
                    {
                        line.Request?.Dispose();
                        _lines[pin] = null;
                    }
                }
            }

            _chip.Dispose();
        }

        base.Dispose(disposing);
    }

    private GpioEventLoop CreateEventLoop()
    {
        var loop = new GpioEventLoop(this, "gpio-events " + _chip.Name);
        loop.SinkFailed += e => CallbackFailed?.Invoke(e);
        return loop;
    }

    private static GpioLineSettings Settings(Line line, PinMode mode, bool initialValue)
    {
        GpioBias bias = mode switch
        {
            PinMode.InputPullUp => GpioBias.PullUp,
            PinMode.InputPullDown => GpioBias.PullDown,
            _ => GpioBias.AsIs,
        };
        return new GpioLineSettings(mode == PinMode.Output, bias, line.Options, initialValue);
    }

    private void Release(Line line)
    {
        if (line.Request is { } request)
        {
            if (line.HasMode && line.Mode != PinMode.Output)
            {
                _events?.Unwatch(request.Handle);
            }

            // The event thread holds its own reference on a watched descriptor: the close happens when it lets go.
            request.Dispose();
            line.Request = null;
        }
    }

    private Line GetOrCreate(int pinNumber)
    {
        if ((uint)pinNumber >= (uint)_lines.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"GPIO {_chip.Description} has lines 0–{_lines.Length - 1}.");
        }

        if (_lines[pinNumber] is { } existing)
        {
            return existing;
        }

        var line = new Line(pinNumber);
        Volatile.Write(ref _lines[pinNumber], line);
        return line;
    }

    private Line? Find(int pinNumber) => (uint)pinNumber < (uint)_lines.Length ? _lines[pinNumber] : null;

    private Line Requested(int pinNumber)
    {
        Line? line = Find(pinNumber);
        if (line?.Request is null)
        {
            throw new InvalidOperationException($"GPIO {_chip.Description} line {pinNumber} has no mode yet: open it with a PinMode first.");
        }

        return line;
    }

    private sealed class Line(int pin)
    {
        public GpioLineRequest? Request;
        public PinMode Mode;
        public bool HasMode;
        public GpioLineOptions Options;
        public (PinEventTypes Types, PinChangeEventHandler Callback)[] Callbacks = [];
        public readonly PinValueChangedEventArgs RisingArgs = new(PinEventTypes.Rising, pin);
        public readonly PinValueChangedEventArgs FallingArgs = new(PinEventTypes.Falling, pin);
    }
}
