using System.Runtime.InteropServices;
using System.Text;
using EdgeRtmp.Devices.Gpio.Native;
using EdgeRtmp.Devices.Native;

namespace EdgeRtmp.Devices.Gpio;

/// <summary>
/// An open GPIO chip (/dev/gpiochipN): found by path, kernel name or label, never by number alone, because numbers
/// move between kernels (the Pi 5's pinctrl-rp1 was gpiochip4 before 6.6.45 and is gpiochip0 since).
/// </summary>
public sealed unsafe class GpioChip : IDisposable
{
    /// <summary>The Raspberry Pi header's pin controllers, newest first: Pi 5, Pi 4, Pi 0–3.</summary>
    public static readonly IReadOnlyList<string> RaspberryPiLabels = ["pinctrl-rp1", "pinctrl-bcm2711", "pinctrl-bcm2835"];

    private const string DeviceDirectory = "/dev";
    private readonly FileDescriptorHandle _handle;

    /// <summary>A chip over any descriptor, for tests of what sits above the ioctls (no line can be requested from it).</summary>
    internal GpioChip(FileDescriptorHandle handle, string path, string name, string label, int lineCount)
    {
        _handle = handle;
        Path = path;
        Name = name;
        Label = label;
        LineCount = lineCount;
    }

    private GpioChip(FileDescriptorHandle handle, string path, in gpiochip_info info)
    {
        _handle = handle;
        Path = path;
        fixed (byte* name = info.name)
        {
            Name = Text(name, GpioUapi.GPIO_MAX_NAME_SIZE);
        }

        fixed (byte* label = info.label)
        {
            Label = Text(label, GpioUapi.GPIO_MAX_NAME_SIZE);
        }

        LineCount = (int)info.lines;
    }

    public string Path { get; }

    /// <summary>The kernel's name, "gpiochip0".</summary>
    public string Name { get; }

    /// <summary>The driver's label, "pinctrl-rp1".</summary>
    public string Label { get; }

    public int LineCount { get; }

    /// <summary>"gpiochip0 [pinctrl-rp1]", for messages.</summary>
    public string Description => $"{Name} [{Label}]";

    internal FileDescriptorHandle Handle => _handle;

    /// <summary>The chip device nodes present, in kernel order (gpiochip0, gpiochip1, …).</summary>
    public static IReadOnlyList<string> DevicePaths()
    {
        if (!Directory.Exists(DeviceDirectory))
        {
            return [];
        }

        return Directory.EnumerateFiles(DeviceDirectory, "gpiochip*")
            .Select(path => (path, number: int.TryParse(System.IO.Path.GetFileName(path).AsSpan("gpiochip".Length), out int n) ? n : int.MaxValue))
            .OrderBy(entry => entry.number)
            .Select(entry => entry.path)
            .ToArray();
    }

    /// <summary>
    /// Opens a chip by path ("/dev/gpiochip0"), kernel name ("gpiochip0"), label ("pinctrl-rp1"), or, for "" and
    /// "auto", the first Raspberry Pi pin controller present. The error lists the chips that exist.
    /// </summary>
    public static GpioChip Open(string chip)
    {
        if (chip.StartsWith('/'))
        {
            return OpenPath(chip);
        }

        if (chip.StartsWith("gpiochip", StringComparison.Ordinal))
        {
            return OpenPath(System.IO.Path.Combine(DeviceDirectory, chip));
        }

        bool auto = chip.Length == 0 || chip.Equals("auto", StringComparison.OrdinalIgnoreCase);
        var found = new List<GpioChip>();
        try
        {
            foreach (string path in DevicePaths())
            {
                found.Add(OpenPath(path));
            }

            IEnumerable<string> wanted = auto ? RaspberryPiLabels : [chip];
            foreach (string label in wanted)
            {
                GpioChip? match = found.FirstOrDefault(candidate => candidate.Label == label);
                if (match is not null)
                {
                    found.Remove(match);
                    return match;
                }
            }

            string present = found.Count == 0 ? "no GPIO chips (/dev/gpiochip*) exist" : "present: " + string.Join(", ", found.Select(c => $"{c.Path} [{c.Label}]"));
            string what = auto ? "no Raspberry Pi pin controller (" + string.Join(", ", RaspberryPiLabels) + ")" : $"no GPIO chip labelled '{chip}'";
            throw new DeviceException($"Gpio:Chip: {what}; {present}.", Errno.ENODEV);
        }
        finally
        {
            foreach (GpioChip other in found)
            {
                other.Dispose();
            }
        }
    }

    public static GpioChip OpenPath(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDWR);
        if (fd < 0)
        {
            throw new DeviceException($"GPIO chip {path}: open failed: {Errno.Describe(-fd)}.", -fd);
        }

        var handle = new FileDescriptorHandle(fd);
        gpiochip_info info;
        int errno = Libc.Ioctl(fd, GpioUapi.GPIO_GET_CHIPINFO_IOCTL, &info);
        if (errno != 0)
        {
            handle.Dispose();
            throw new DeviceException($"GPIO chip {path}: GPIO_GET_CHIPINFO failed: {Errno.Describe(errno)} (not a GPIO character device?).", errno);
        }

        return new GpioChip(handle, path, info);
    }

    public GpioLineInfo GetLineInfo(int offset)
    {
        CheckOffset(offset);
        gpio_v2_line_info info = default;
        info.offset = (uint)offset;
        int errno = Libc.Ioctl(_handle.Fd, GpioUapi.GPIO_V2_GET_LINEINFO_IOCTL, &info);
        if (errno != 0)
        {
            throw new DeviceException($"GPIO {Description} line {offset}: GPIO_V2_GET_LINEINFO failed: {Errno.Describe(errno)}.", errno);
        }

        return new GpioLineInfo(
            offset,
            Text(info.name, GpioUapi.GPIO_MAX_NAME_SIZE),
            Text(info.consumer, GpioUapi.GPIO_MAX_NAME_SIZE),
            (info.flags & GpioUapi.GPIO_V2_LINE_FLAG_USED) != 0,
            (info.flags & GpioUapi.GPIO_V2_LINE_FLAG_OUTPUT) != 0,
            (info.flags & GpioUapi.GPIO_V2_LINE_FLAG_ACTIVE_LOW) != 0);
    }

    public GpioChipInfo Describe()
    {
        var lines = new GpioLineInfo[LineCount];
        for (int offset = 0; offset < lines.Length; offset++)
        {
            lines[offset] = GetLineInfo(offset);
        }

        return new GpioChipInfo(Path, Name, Label, lines);
    }

    /// <summary>
    /// The offset of a line given by name ("GPIO17", as the device tree names the header pins) or by offset ("17").
    /// Names are tried first: on a Pi the name and the offset agree, and elsewhere a name is what a user reads on a board.
    /// </summary>
    public int FindLine(string line)
    {
        for (int offset = 0; offset < LineCount; offset++)
        {
            if (GetLineInfo(offset).Name == line)
            {
                return offset;
            }
        }

        if (int.TryParse(line, out int number) && number >= 0 && number < LineCount)
        {
            return number;
        }

        throw new DeviceException($"GPIO {Description} has no line named '{line}' (and it is not an offset below {LineCount}).", Errno.ENOENT);
    }

    /// <summary>Requests one line. EBUSY names the process holding it, from the kernel's line info.</summary>
    internal GpioLineRequest RequestLine(int offset, in GpioLineSettings settings, string consumer)
    {
        CheckOffset(offset);
        gpio_v2_line_request request = default;
        request.offsets[0] = (uint)offset;
        request.num_lines = 1;
        request.config = settings.ToConfig();
        int length = Encoding.UTF8.GetBytes(consumer.AsSpan(0, Math.Min(consumer.Length, GpioUapi.GPIO_MAX_NAME_SIZE - 1)), new Span<byte>(request.consumer, GpioUapi.GPIO_MAX_NAME_SIZE - 1));
        request.consumer[length] = 0;
        int errno = Libc.Ioctl(_handle.Fd, GpioUapi.GPIO_V2_GET_LINE_IOCTL, &request);
        if (errno == Errno.EBUSY)
        {
            GpioLineInfo info = GetLineInfo(offset);
            string holder = info.Consumer.Length > 0 ? $"'{info.Consumer}'" : "another consumer (it gave no name)";
            throw new DeviceException($"GPIO line {offset} ({NameOr(info.Name)}) of {Description} is in use by {holder}: {Errno.Describe(errno)}.", errno);
        }

        if (errno != 0)
        {
            throw new DeviceException($"GPIO line {offset} of {Description}: GPIO_V2_GET_LINE ({(settings.Output ? "output" : "input")}, bias {settings.Bias}, {settings.Options}) failed: {Errno.Describe(errno)}.", errno);
        }

        return new GpioLineRequest(new FileDescriptorHandle(request.fd), offset, $"line {offset} of {Description}");
    }

    public void Dispose() => _handle.Dispose();

    private static string NameOr(string name) => name.Length > 0 ? name : "unnamed";

    private void CheckOffset(int offset)
    {
        if ((uint)offset >= (uint)LineCount)
        {
            throw new DeviceException($"GPIO {Description} has lines 0–{LineCount - 1}; line {offset} does not exist.", Errno.EINVAL);
        }
    }

    private static string Text(byte* text, int capacity)
    {
        var span = new ReadOnlySpan<byte>(text, capacity);
        int end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
