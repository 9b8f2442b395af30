namespace EdgeRtmp.Devices.V4l2;

/// <summary>A size a camera offers for one format, with the frame rates at that size.</summary>
public sealed record V4l2CameraSize(V4l2FrameSize Size, IReadOnlyList<V4l2FrameRate> Rates);

/// <summary>One format a camera offers (ENUM_FMT) with its sizes (ENUM_FRAMESIZES) and rates (ENUM_FRAMEINTERVALS).</summary>
public sealed record V4l2CameraFormat(uint PixelFormat, string Description, bool IsCompressed, bool IsEmulated, IReadOnlyList<V4l2CameraSize> Sizes)
{
    public string FourCc => V4l2PixelFormat.ToString(PixelFormat);
}

/// <summary>A capture node: what QUERYCAP says and everything it can stream.</summary>
public sealed record V4l2CameraInfo(string Path, string Card, string Driver, string BusInfo, bool IsMultiPlanar, IReadOnlyList<V4l2CameraFormat> Formats)
{
    public V4l2CameraFormat? Find(uint pixelFormat) => Formats.FirstOrDefault(f => f.PixelFormat == pixelFormat);
}

/// <summary>A memory-to-memory node: raw formats it takes, formats it produces, and its controls with their ranges.</summary>
public sealed record V4l2CodecInfo(
    string Path,
    string Card,
    string Driver,
    string BusInfo,
    IReadOnlyList<uint> InputFormats,
    IReadOnlyList<uint> OutputFormats,
    IReadOnlyList<V4l2ControlInfo> Controls)
{
    /// <summary>An encoder to <paramref name="codedFormat"/> that takes <paramref name="rawFormat"/>.</summary>
    public bool Encodes(uint rawFormat, uint codedFormat) => OutputFormats.Contains(codedFormat) && InputFormats.Contains(rawFormat);

    public bool IsEncoderTo(uint codedFormat) => OutputFormats.Contains(codedFormat) && InputFormats.Any(V4l2PixelFormat.IsRaw);
}

/// <summary>A node that could not be looked at, and why (busy, permissions, not V4L2).</summary>
public sealed record V4l2NodeProblem(string Path, string Reason);

/// <summary>
/// Every V4L2 node on the machine, sorted into cameras, M2M codecs, nodes we cannot use and why: what <c>auto</c>
/// chooses from and what <c>edgertmp devices</c> prints. Scanning opens each node briefly; it does not stream.
/// </summary>
public sealed record V4l2Inventory(IReadOnlyList<V4l2CameraInfo> Cameras, IReadOnlyList<V4l2CodecInfo> Codecs, IReadOnlyList<V4l2NodeProblem> Problems)
{
    public static V4l2Inventory Empty { get; } = new([], [], []);

    public static V4l2Inventory Scan(string devDirectory = "/dev")
    {
        var cameras = new List<V4l2CameraInfo>();
        var codecs = new List<V4l2CodecInfo>();
        var problems = new List<V4l2NodeProblem>();
        foreach (string path in V4l2Device.ListNodes(devDirectory))
        {
            try
            {
                using V4l2Device device = V4l2Device.Open(path);
                if (device.IsMemoryToMemory && device.CanStream)
                {
                    codecs.Add(new V4l2CodecInfo(
                        path,
                        device.Card,
                        device.Driver,
                        device.BusInfo,
                        [.. device.EnumerateFormats(device.OutputType).Select(f => f.PixelFormat)],
                        [.. device.EnumerateFormats(device.CaptureType).Select(f => f.PixelFormat)],
                        device.EnumerateControls()));
                }
                else if (device.IsCamera)
                {
                    cameras.Add(Describe(device));
                }
                else
                {
                    problems.Add(new V4l2NodeProblem(path, $"'{device.Card}' ({device.Driver}) is neither a streaming capture device nor an M2M codec (capabilities 0x{device.Capabilities:X8})"));
                }
            }
            catch (DeviceException exception)
            {
                problems.Add(new V4l2NodeProblem(path, exception.Message));
            }
        }

        return new V4l2Inventory(cameras, codecs, problems);
    }

    private static V4l2CameraInfo Describe(V4l2Device device)
    {
        var formats = new List<V4l2CameraFormat>();
        foreach (V4l2FormatDescription format in device.EnumerateFormats(device.CaptureType))
        {
            var sizes = new List<V4l2CameraSize>();
            foreach (V4l2FrameSize size in device.EnumerateFrameSizes(format.PixelFormat))
            {
                // For a range of sizes, the rates at its largest size (the slowest): a fair summary.
                uint width = size.IsDiscrete ? size.Width : size.MaxWidth;
                uint height = size.IsDiscrete ? size.Height : size.MaxHeight;
                sizes.Add(new V4l2CameraSize(size, device.EnumerateFrameRates(format.PixelFormat, width, height)));
            }

            formats.Add(new V4l2CameraFormat(format.PixelFormat, format.Description, format.IsCompressed, format.IsEmulated, sizes));
        }

        return new V4l2CameraInfo(device.Path, device.Card, device.Driver, device.BusInfo, device.IsMultiPlanar, formats);
    }
}
