using System.Device.Gpio;

namespace EdgeRtmp.Tests.Panel;

/// <summary>A GpioDriver of lines in memory: outputs keep what was written, inputs are driven by the test.</summary>
internal sealed class FakeGpioDriver : GpioDriver
{
    private readonly PinValue[] _values;
    private readonly PinMode[] _modes;
    private readonly List<(int Pin, PinEventTypes Types, PinChangeEventHandler Callback)> _callbacks = [];

    public FakeGpioDriver(int lines)
    {
        _values = new PinValue[lines];
        _modes = new PinMode[lines];
    }

    public int Writes { get; private set; }

    public PinValue Value(int pin) => _values[pin];

    public PinMode Mode(int pin) => _modes[pin];

    /// <summary>Sets an input's level and raises its edge, as the event thread would.</summary>
    public void Drive(int pin, bool high)
    {
        _values[pin] = high ? PinValue.High : PinValue.Low;
        PinEventTypes type = high ? PinEventTypes.Rising : PinEventTypes.Falling;
        foreach (var (callbackPin, types, callback) in _callbacks.ToArray())
        {
            if (callbackPin == pin && (types & type) != 0)
            {
                callback(this, new PinValueChangedEventArgs(type, pin));
            }
        }
    }

    protected override int PinCount => _values.Length;

    protected override void OpenPin(int pinNumber)
    {
    }

    protected override void ClosePin(int pinNumber)
    {
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes[pinNumber];

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => _values[pinNumber];

    protected override void Write(int pinNumber, PinValue value)
    {
        Writes++;
        _values[pinNumber] = value;
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the panel never waits for an event");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        _callbacks.Add((pinNumber, eventTypes, callback));

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.RemoveAll(entry => entry.Pin == pinNumber && entry.Callback == callback);
}
