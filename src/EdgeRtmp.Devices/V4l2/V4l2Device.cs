using System.Text;
using EdgeRtmp.Devices.Native;
using static EdgeRtmp.Devices.V4l2.Native.Videodev2;

namespace EdgeRtmp.Devices.V4l2;

/// <summary>
/// An open V4L2 node (<c>/dev/videoN</c>): what QUERYCAP says it is, the formats, sizes and rates it offers, its
/// controls, and the ioctl helper the capture and encoder classes build on. Every failure is a
/// <see cref="DeviceException"/> naming the node, the request and the kernel's reason.
/// </summary>
public sealed unsafe class V4l2Device : IDisposable
{
    private const int EnumerationLimit = 4096;
    private readonly FileDescriptorHandle _handle;

    private V4l2Device(string path, FileDescriptorHandle handle, in v4l2_capability capability)
    {
        Path = path;
        _handle = handle;
        fixed (v4l2_capability* c = &capability)
        {
            Driver = CString(c->driver, 16);
            Card = CString(c->card, 32);
            BusInfo = CString(c->bus_info, 32);
        }

        // device_caps describes this node; capabilities the whole physical device (all its nodes).
        Capabilities = (capability.capabilities & V4L2_CAP_DEVICE_CAPS) != 0 ? capability.device_caps : capability.capabilities;
        Version = capability.version;
    }

    public string Path { get; }

    public string Driver { get; }

    public string Card { get; }

    public string BusInfo { get; }

    /// <summary>The node's capabilities (V4L2_CAP_*).</summary>
    public uint Capabilities { get; }

    /// <summary>The driver's version, KERNEL_VERSION-encoded.</summary>
    public uint Version { get; }

    public bool CanStream => (Capabilities & V4L2_CAP_STREAMING) != 0;

    /// <summary>A memory-to-memory device (codec, scaler): frames go in on OUTPUT and come back on CAPTURE.</summary>
    public bool IsMemoryToMemory => (Capabilities & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE)) != 0;

    /// <summary>
    /// A camera-like node: video capture (single- or multi-planar) with streaming I/O, not a codec. v4l2loopback
    /// (capture and output on one node, no M2M flag) counts: a writer feeds it, we read it as a camera.
    /// </summary>
    public bool IsCamera => CanStream && !IsMemoryToMemory
        && (Capabilities & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE)) != 0;

    /// <summary>Whether this node's queues are multi-planar (the *_MPLANE buffer types).</summary>
    public bool IsMultiPlanar => (Capabilities & (V4L2_CAP_VIDEO_CAPTURE_MPLANE | V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_VIDEO_OUTPUT_MPLANE)) != 0
        && (Capabilities & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_M2M)) == 0;

    /// <summary>The buffer type frames are captured from (for an M2M device: the coded or processed output).</summary>
    public uint CaptureType => IsMultiPlanar ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;

    /// <summary>An M2M device's input queue.</summary>
    public uint OutputType => IsMultiPlanar ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT;

    internal int Fd => _handle.Fd;

    /// <summary>Opens the node (non-blocking: DQBUF says EAGAIN, poll waits) and asks what it is.</summary>
    public static V4l2Device Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_NONBLOCK);
        if (fd < 0)
        {
            int errno = -fd;
            string hint = errno switch
            {
                Errno.ENOENT => " (no such device: unplugged, or the driver is not loaded)",
                Errno.EACCES => " (permission denied: the service user needs the 'video' group)",
                Errno.EBUSY => " (in use by another program)",
                _ => "",
            };
            throw new DeviceException($"{path}: open failed: {Errno.Describe(errno)}{hint}", errno);
        }

        var handle = new FileDescriptorHandle(fd);
        v4l2_capability capability = default;
        int error = Libc.Ioctl(fd, VIDIOC_QUERYCAP, &capability);
        if (error != 0)
        {
            handle.Dispose();
            throw new DeviceException(
                $"{path}: VIDIOC_QUERYCAP failed: {Errno.Describe(error)}{(error == Errno.ENOTTY ? " (not a V4L2 device)" : "")}", error);
        }

        return new V4l2Device(path, handle, capability);
    }

    /// <summary>The /dev/videoN nodes present, in number order.</summary>
    public static IReadOnlyList<string> ListNodes(string devDirectory = "/dev")
    {
        if (!Directory.Exists(devDirectory))
        {
            return [];
        }

        var nodes = new List<(int Number, string Path)>();
        foreach (string path in Directory.EnumerateFileSystemEntries(devDirectory, "video*"))
        {
            string name = System.IO.Path.GetFileName(path);
            if (int.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number))
            {
                nodes.Add((number, path));
            }
        }

        nodes.Sort((a, b) => a.Number.CompareTo(b.Number));
        return nodes.ConvertAll(n => n.Path);
    }

    /// <summary>The formats a queue offers (ENUM_FMT until EINVAL).</summary>
    public IReadOnlyList<V4l2FormatDescription> EnumerateFormats(uint bufferType)
    {
        var formats = new List<V4l2FormatDescription>();
        for (uint index = 0; index < EnumerationLimit; index++)
        {
            v4l2_fmtdesc description = default;
            description.index = index;
            description.type = bufferType;
            if (!TryIoctl(VIDIOC_ENUM_FMT, &description, "VIDIOC_ENUM_FMT"))
            {
                break;
            }

            formats.Add(new V4l2FormatDescription(
                description.pixelformat,
                CString(description.description, 32),
                (description.flags & V4L2_FMT_FLAG_COMPRESSED) != 0,
                (description.flags & V4L2_FMT_FLAG_EMULATED) != 0));
        }

        return formats;
    }

    /// <summary>The frame sizes offered for a pixel format: a list of discrete sizes, or one stepwise/continuous range.</summary>
    public IReadOnlyList<V4l2FrameSize> EnumerateFrameSizes(uint pixelFormat)
    {
        var sizes = new List<V4l2FrameSize>();
        for (uint index = 0; index < EnumerationLimit; index++)
        {
            v4l2_frmsizeenum size = default;
            size.index = index;
            size.pixel_format = pixelFormat;
            if (!TryIoctl(VIDIOC_ENUM_FRAMESIZES, &size, "VIDIOC_ENUM_FRAMESIZES"))
            {
                break;
            }

            if (size.type == V4L2_FRMSIZE_TYPE_DISCRETE)
            {
                sizes.Add(new V4l2FrameSize(size.min_width, size.max_width, size.min_width, size.max_width, 0, 0));
            }
            else
            {
                sizes.Add(new V4l2FrameSize(size.min_width, size.min_height, size.max_width, size.max_height, size.step_width, size.step_height));
                break;
            }
        }

        return sizes;
    }

    /// <summary>The frame rates offered for a format and size (frames per second; a range gives its two ends).</summary>
    public IReadOnlyList<V4l2FrameRate> EnumerateFrameRates(uint pixelFormat, uint width, uint height)
    {
        var rates = new List<V4l2FrameRate>();
        for (uint index = 0; index < EnumerationLimit; index++)
        {
            v4l2_frmivalenum interval = default;
            interval.index = index;
            interval.pixel_format = pixelFormat;
            interval.width = width;
            interval.height = height;
            if (!TryIoctl(VIDIOC_ENUM_FRAMEINTERVALS, &interval, "VIDIOC_ENUM_FRAMEINTERVALS"))
            {
                break;
            }

            if (interval.type == V4L2_FRMIVAL_TYPE_DISCRETE)
            {
                rates.Add(new V4l2FrameRate(interval.min.numerator, interval.min.denominator, IsRange: false, 0, 0));
            }
            else
            {
                // A range of intervals: the shortest interval is the highest rate.
                rates.Add(new V4l2FrameRate(interval.min.numerator, interval.min.denominator, IsRange: true, interval.max.numerator, interval.max.denominator));
                break;
            }
        }

        return rates;
    }

    /// <summary>Every control the node has (QUERYCTRL with V4L2_CTRL_FLAG_NEXT_CTRL), class headings left out.</summary>
    public IReadOnlyList<V4l2ControlInfo> EnumerateControls()
    {
        var controls = new List<V4l2ControlInfo>();
        uint id = V4L2_CTRL_FLAG_NEXT_CTRL;
        for (int i = 0; i < EnumerationLimit; i++)
        {
            v4l2_queryctrl query = default;
            query.id = id;
            if (!TryIoctl(VIDIOC_QUERYCTRL, &query, "VIDIOC_QUERYCTRL"))
            {
                break;
            }

            id = query.id | V4L2_CTRL_FLAG_NEXT_CTRL;
            if (query.type != V4L2_CTRL_TYPE_CTRL_CLASS && (query.flags & V4L2_CTRL_FLAG_DISABLED) == 0)
            {
                controls.Add(ToControlInfo(query));
            }
        }

        return controls;
    }

    /// <summary>One control's range, or null when the node has no such control.</summary>
    public V4l2ControlInfo? QueryControl(uint id)
    {
        v4l2_queryctrl query = default;
        query.id = id;
        if (!TryIoctl(VIDIOC_QUERYCTRL, &query, "VIDIOC_QUERYCTRL") || (query.flags & V4L2_CTRL_FLAG_DISABLED) != 0)
        {
            return null;
        }

        return ToControlInfo(query);
    }

    /// <summary>Sets one control through S_EXT_CTRLS (codec controls must go through the extended API on some drivers).</summary>
    public void SetControl(uint id, int value)
    {
        v4l2_ext_control control = default;
        control.id = id;
        control.value = value;
        v4l2_ext_controls controls = default;
        controls.which = id & 0x0FFF0000;
        controls.count = 1;
        controls.controls = &control;
        Ioctl(VIDIOC_S_EXT_CTRLS, &controls, $"VIDIOC_S_EXT_CTRLS 0x{id:X8}={value}");
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>An ioctl that must succeed: EINTR is retried, anything else throws naming <paramref name="what"/>.</summary>
    internal void Ioctl(nuint request, void* argument, string what)
    {
        int error = Libc.Ioctl(_handle.Fd, request, argument);
        if (error != 0)
        {
            ThrowIoctlFailed(what, error);
        }
    }

    /// <summary>An ioctl whose EINVAL means "no more" or "not supported" (enumerations, optional controls): false then.</summary>
    internal bool TryIoctl(nuint request, void* argument, string what)
    {
        int error = Libc.Ioctl(_handle.Fd, request, argument);
        if (error == 0)
        {
            return true;
        }

        if (error is Errno.EINVAL or Errno.ENOTTY)
        {
            return false;
        }

        ThrowIoctlFailed(what, error);
        return false;
    }

    /// <summary>The raw result, 0 or errno, for callers that branch on EAGAIN (DQBUF, DQEVENT).</summary>
    internal int IoctlErrno(nuint request, void* argument) => Libc.Ioctl(_handle.Fd, request, argument);

    internal void ThrowIoctlFailed(string what, int errno)
    {
        string hint = errno switch
        {
            Errno.ENODEV => " (the device is gone: unplugged or its driver unbound)",
            Errno.EBUSY => " (in use: another program is streaming from it)",
            _ => "",
        };
        throw new DeviceException($"{Path}: {what} failed: {Errno.Describe(errno)}{hint}", errno);
    }

    private static V4l2ControlInfo ToControlInfo(in v4l2_queryctrl query)
    {
        fixed (byte* name = query.name)
        {
            return new V4l2ControlInfo(query.id, CString(name, 32), query.type, query.minimum, query.maximum, query.step, query.default_value);
        }
    }

    private static string CString(byte* text, int capacity)
    {
        int length = new ReadOnlySpan<byte>(text, capacity).IndexOf((byte)0);
        return Encoding.UTF8.GetString(text, length < 0 ? capacity : length);
    }
}

/// <summary>One ENUM_FMT entry.</summary>
public sealed record V4l2FormatDescription(uint PixelFormat, string Description, bool IsCompressed, bool IsEmulated)
{
    public string FourCc => V4l2PixelFormat.ToString(PixelFormat);
}

/// <summary>A frame size: discrete (Max = Min, steps 0) or a range with steps (continuous: step 1).</summary>
public sealed record V4l2FrameSize(uint Width, uint Height, uint MaxWidth, uint MaxHeight, uint StepWidth, uint StepHeight)
{
    public bool IsDiscrete => MaxWidth == Width && MaxHeight == Height && StepWidth == 0;

    public override string ToString() => IsDiscrete ? $"{Width}x{Height}" : $"{Width}x{Height}-{MaxWidth}x{MaxHeight}";
}

/// <summary>A frame interval as the kernel gives it (seconds per frame, a fraction); a range from the shortest to the longest.</summary>
public sealed record V4l2FrameRate(uint Numerator, uint Denominator, bool IsRange, uint MaxNumerator, uint MaxDenominator)
{
    public double FramesPerSecond => Numerator == 0 ? 0 : (double)Denominator / Numerator;

    public double MinFramesPerSecond => IsRange && MaxNumerator != 0 ? (double)MaxDenominator / MaxNumerator : FramesPerSecond;

    public override string ToString() => IsRange
        ? $"{Format(MinFramesPerSecond)}-{Format(FramesPerSecond)}"
        : Format(FramesPerSecond);

    private static string Format(double fps) => fps.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A control and its range (QUERYCTRL).</summary>
public sealed record V4l2ControlInfo(uint Id, string Name, uint Type, int Minimum, int Maximum, int Step, int Default);
