using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using EdgeRtmp.Configuration;
using EdgeRtmp.Devices;
using EdgeRtmp.Devices.Gpio;

namespace EdgeRtmp.Panel;

/// <summary>The panel's line offsets on its chip; -1 where a function is not wired.</summary>
public readonly record struct GpioPanelLines(int StatusLed, int ErrorLed, int ViewerLed, int LiveButton, int RecordButton)
{
    public static readonly GpioPanelLines None = new(-1, -1, -1, -1, -1);
}

/// <summary>
/// A <see cref="BoxPanel"/> on GPIO lines through System.Device.Gpio's <see cref="GpioController"/>: LEDs as outputs
/// (lit = high), buttons as inputs with edge callbacks. With our <see cref="GpioChipDriver"/> the kernel applies
/// active-low and bias; with another driver (libgpiod) the button's level is inverted here. Either way the buttons are
/// debounced in software on the leading edge (<see cref="PanelButton"/>, <see cref="DebounceMs"/>), not with the
/// kernel's debounce attribute: that one holds every edge back until the line has been still for the whole period (and
/// a workqueue hop), which is most of a press's 50 ms budget; ours acts on the first edge and ignores the bounce after it.
/// </summary>
public sealed class GpioPanel : IDisposable
{
    /// <summary>How long after an accepted edge further edges are bounce (the issue asks that bounce within 5 ms count as one press).</summary>
    public const int DebounceMs = 20;

    private readonly GpioController _controller;
    private readonly GpioPanelLines _lines;
    private readonly bool _invertButtons;
    private readonly int[] _ledPins;
    private readonly PinChangeEventHandler _liveEdge;
    private readonly PinChangeEventHandler _recordEdge;

    public GpioPanel(GpioDriver driver, GpioPanelLines lines, bool buttonsActiveLow, PanelOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(options);
        _lines = lines;
        var ours = driver as GpioChipDriver;
        _invertButtons = ours is null && buttonsActiveLow;
        _controller = new GpioController(driver);
        if (ours is not null)
        {
            // The event thread reports and survives an exception from a button's handler; it is logged, not lost.
            ours.CallbackFailed += e => CallbackFailed?.Invoke(e);
        }

        try
        {
            _ledPins = [lines.StatusLed, lines.ErrorLed, lines.ViewerLed];
            foreach (int pin in _ledPins)
            {
                if (pin >= 0)
                {
                    _controller.OpenPin(pin, PinMode.Output, PinValue.Low);
                }
            }

            PinMode buttonMode = buttonsActiveLow ? PinMode.InputPullUp : PinMode.InputPullDown;
            foreach (int pin in (ReadOnlySpan<int>)[lines.LiveButton, lines.RecordButton])
            {
                if (pin >= 0)
                {
                    ours?.ConfigureLine(pin, new GpioLineOptions(ActiveLow: buttonsActiveLow));
                    _controller.OpenPin(pin, buttonMode);
                }
            }

            Panel = new BoxPanel(
                options,
                WriteLed,
                time,
                lines.LiveButton >= 0 ? () => IsPressed(lines.LiveButton) : null,
                lines.RecordButton >= 0 ? () => IsPressed(lines.RecordButton) : null);
            _liveEdge = (_, e) => Panel.LiveButtonEdge(Pressed(e.ChangeType));
            _recordEdge = (_, e) => Panel.RecordButtonEdge(Pressed(e.ChangeType));
            if (lines.LiveButton >= 0)
            {
                _controller.RegisterCallbackForPinValueChangedEvent(lines.LiveButton, PinEventTypes.Rising | PinEventTypes.Falling, _liveEdge);
            }

            if (lines.RecordButton >= 0)
            {
                _controller.RegisterCallbackForPinValueChangedEvent(lines.RecordButton, PinEventTypes.Rising | PinEventTypes.Falling, _recordEdge);
            }
        }
        catch
        {
            _controller.Dispose();
            throw;
        }
    }

    public BoxPanel Panel { get; }

    /// <summary>A button handler threw on the GPIO event thread (our driver only); the panel goes on.</summary>
    public event Action<Exception>? CallbackFailed;

    /// <summary>
    /// Opens the configured chip and lines, or returns null when <c>Gpio</c> names no line (a box without a panel).
    /// Throws <see cref="DeviceException"/> naming the chip, the line and, when another process holds a line, its consumer.
    /// </summary>
    public static GpioPanel? Open(GpioOptions gpio, PanelOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        string[] names = [gpio.StatusLed, gpio.ErrorLed, gpio.ViewerLed, gpio.LiveButton, gpio.RecordButton];
        if (names.All(string.IsNullOrWhiteSpace))
        {
            return null;
        }

        GpioChip chip = GpioChip.Open(gpio.Chip);
        GpioDriver? driver = null;
        try
        {
            int Find(string name) => string.IsNullOrWhiteSpace(name) ? -1 : chip.FindLine(name.Trim());
            var lines = new GpioPanelLines(Find(gpio.StatusLed), Find(gpio.ErrorLed), Find(gpio.ViewerLed), Find(gpio.LiveButton), Find(gpio.RecordButton));
            if (string.Equals(gpio.Driver, "libgpiod", StringComparison.OrdinalIgnoreCase))
            {
                // The package's own driver, for boards where ours is not wanted; it needs libgpiod.so.2 or .so.3.
                int number = int.Parse(chip.Name.AsSpan("gpiochip".Length), System.Globalization.CultureInfo.InvariantCulture);
                chip.Dispose();
                driver = new LibGpiodDriver(number);
            }
            else
            {
                driver = new GpioChipDriver(chip, "edgertmp");
            }

            return new GpioPanel(driver, lines, gpio.ActiveLow, options, time);
        }
        catch
        {
            if (driver is null)
            {
                chip.Dispose();
            }
            else
            {
                driver.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        Panel.Dispose();
        _controller.Dispose();
    }

    private bool Pressed(PinEventTypes change) => (change == PinEventTypes.Rising) != _invertButtons;

    private bool IsPressed(int pin) => (_controller.Read(pin) == PinValue.High) != _invertButtons;

    private void WriteLed(PanelLed led, bool lit)
    {
        int pin = _ledPins[(int)led];
        if (pin >= 0)
        {
            // GpioController.Write(int, PinValue) allocates 40 bytes a call in System.Device.Gpio 4.2 (measured); its span
            // overload does not, and a blinking LED writes twice a second for as long as the box runs.
            var pair = new PinValuePair(pin, lit ? PinValue.High : PinValue.Low);
            _controller.Write(new ReadOnlySpan<PinValuePair>(in pair));
        }
    }
}
