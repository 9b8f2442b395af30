using EdgeRtmp.Devices.Gpio.Native;
using EdgeRtmp.Devices.Native;

namespace EdgeRtmp.Devices.Gpio;

/// <summary>One requested line: the request descriptor the kernel returned, its values and, for inputs, its edge events.</summary>
internal sealed unsafe class GpioLineRequest : IDisposable
{
    private readonly string _description;

    public GpioLineRequest(FileDescriptorHandle handle, int offset, string description)
    {
        Handle = handle;
        Offset = offset;
        _description = description;
    }

    public FileDescriptorHandle Handle { get; }

    public int Offset { get; }

    /// <summary>The logical value (active-low already applied by the kernel).</summary>
    public bool Read()
    {
        gpio_v2_line_values values = new() { mask = 1 };
        Check(Libc.Ioctl(Handle.Fd, GpioUapi.GPIO_V2_LINE_GET_VALUES_IOCTL, &values), "GPIO_V2_LINE_GET_VALUES");
        return (values.bits & 1) != 0;
    }

    public void Write(bool value)
    {
        gpio_v2_line_values values = new() { bits = value ? 1UL : 0UL, mask = 1 };
        Check(Libc.Ioctl(Handle.Fd, GpioUapi.GPIO_V2_LINE_SET_VALUES_IOCTL, &values), "GPIO_V2_LINE_SET_VALUES");
    }

    /// <summary>Changes direction, bias or options while keeping the line: no other process can take it in between.</summary>
    public void Reconfigure(in GpioLineSettings settings)
    {
        gpio_v2_line_config config = settings.ToConfig();
        Check(Libc.Ioctl(Handle.Fd, GpioUapi.GPIO_V2_LINE_SET_CONFIG_IOCTL, &config), "GPIO_V2_LINE_SET_CONFIG");
    }

    public void Dispose() => Handle.Dispose();

    private void Check(int errno, string operation)
    {
        if (errno != 0)
        {
            throw new DeviceException($"GPIO {_description}: {operation} failed: {Errno.Describe(errno)}.", errno);
        }
    }
}
