using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRtmp.Devices.Gpio.Native;

/// <summary>
/// The GPIO character device uAPI v2 (include/uapi/linux/gpio.h): structures named as in the header, the ioctl numbers
/// and flag values next to them. Every size and offset is checked against the header by GpioUapiLayoutTests; the
/// layout is the same on x86_64, arm64 and armv7 (the header pads every structure to 64 bits).
/// </summary>
internal static class GpioUapi
{
    public const int GPIO_MAX_NAME_SIZE = 32;
    public const int GPIO_V2_LINES_MAX = 64;
    public const int GPIO_V2_LINE_NUM_ATTRS_MAX = 10;

    // _IOR(0xB4, 0x01, struct gpiochip_info) and friends; the size is part of the number.
    public const uint GPIO_GET_CHIPINFO_IOCTL = 0x8044B401;
    public const uint GPIO_V2_GET_LINEINFO_IOCTL = 0xC100B405;
    public const uint GPIO_V2_GET_LINE_IOCTL = 0xC250B407;
    public const uint GPIO_V2_LINE_SET_CONFIG_IOCTL = 0xC110B40D;
    public const uint GPIO_V2_LINE_GET_VALUES_IOCTL = 0xC010B40E;
    public const uint GPIO_V2_LINE_SET_VALUES_IOCTL = 0xC010B40F;

    // enum gpio_v2_line_flag
    public const ulong GPIO_V2_LINE_FLAG_USED = 1UL << 0;
    public const ulong GPIO_V2_LINE_FLAG_ACTIVE_LOW = 1UL << 1;
    public const ulong GPIO_V2_LINE_FLAG_INPUT = 1UL << 2;
    public const ulong GPIO_V2_LINE_FLAG_OUTPUT = 1UL << 3;
    public const ulong GPIO_V2_LINE_FLAG_EDGE_RISING = 1UL << 4;
    public const ulong GPIO_V2_LINE_FLAG_EDGE_FALLING = 1UL << 5;
    public const ulong GPIO_V2_LINE_FLAG_OPEN_DRAIN = 1UL << 6;
    public const ulong GPIO_V2_LINE_FLAG_OPEN_SOURCE = 1UL << 7;
    public const ulong GPIO_V2_LINE_FLAG_BIAS_PULL_UP = 1UL << 8;
    public const ulong GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN = 1UL << 9;
    public const ulong GPIO_V2_LINE_FLAG_BIAS_DISABLED = 1UL << 10;
    public const ulong GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME = 1UL << 11;

    // enum gpio_v2_line_attr_id
    public const uint GPIO_V2_LINE_ATTR_ID_FLAGS = 1;
    public const uint GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES = 2;
    public const uint GPIO_V2_LINE_ATTR_ID_DEBOUNCE = 3;

    // enum gpio_v2_line_event_id
    public const uint GPIO_V2_LINE_EVENT_RISING_EDGE = 1;
    public const uint GPIO_V2_LINE_EVENT_FALLING_EDGE = 2;
}

/// <summary>struct gpiochip_info, 68 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpiochip_info
{
    public fixed byte name[GpioUapi.GPIO_MAX_NAME_SIZE];
    public fixed byte label[GpioUapi.GPIO_MAX_NAME_SIZE];
    public uint lines;
}

/// <summary>struct gpio_v2_line_values, 16 bytes: bits and mask index the request's offsets[], not line numbers.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct gpio_v2_line_values
{
    public ulong bits;
    public ulong mask;
}

/// <summary>
/// struct gpio_v2_line_attribute, 16 bytes: id, padding, then a union of u64 flags, u64 values and u32
/// debounce_period_us, all at offset 8 (the debounce period is the low half on little-endian machines).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct gpio_v2_line_attribute
{
    public uint id;
    public uint padding;
    public ulong value;
}

/// <summary>struct gpio_v2_line_config_attribute, 24 bytes: the attribute and the mask of request lines it applies to.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct gpio_v2_line_config_attribute
{
    public gpio_v2_line_attribute attr;
    public ulong mask;
}

[InlineArray(GpioUapi.GPIO_V2_LINE_NUM_ATTRS_MAX)]
internal struct gpio_v2_line_config_attributes
{
    private gpio_v2_line_config_attribute _first;
}

[InlineArray(GpioUapi.GPIO_V2_LINE_NUM_ATTRS_MAX)]
internal struct gpio_v2_line_attributes
{
    private gpio_v2_line_attribute _first;
}

/// <summary>struct gpio_v2_line_config, 272 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpio_v2_line_config
{
    public ulong flags;
    public uint num_attrs;
    public fixed uint padding[5];
    public gpio_v2_line_config_attributes attrs;
}

/// <summary>struct gpio_v2_line_request, 592 bytes; the kernel fills <see cref="fd"/> with the request's descriptor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpio_v2_line_request
{
    public fixed uint offsets[GpioUapi.GPIO_V2_LINES_MAX];
    public fixed byte consumer[GpioUapi.GPIO_MAX_NAME_SIZE];
    public gpio_v2_line_config config;
    public uint num_lines;
    public uint event_buffer_size;
    public fixed uint padding[5];
    public int fd;
}

/// <summary>struct gpio_v2_line_info, 256 bytes: what GPIO_V2_GET_LINEINFO_IOCTL tells about one line.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpio_v2_line_info
{
    public fixed byte name[GpioUapi.GPIO_MAX_NAME_SIZE];
    public fixed byte consumer[GpioUapi.GPIO_MAX_NAME_SIZE];
    public uint offset;
    public uint num_attrs;
    public ulong flags;
    public gpio_v2_line_attributes attrs;
    public fixed uint padding[4];
}

/// <summary>struct gpio_v2_line_event, 48 bytes, read from a line request's descriptor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpio_v2_line_event
{
    public ulong timestamp_ns;
    public uint id;
    public uint offset;
    public uint seqno;
    public uint line_seqno;
    public fixed uint padding[6];
}
