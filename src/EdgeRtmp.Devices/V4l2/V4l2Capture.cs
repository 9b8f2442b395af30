using System.Globalization;
using static EdgeRtmp.Devices.V4l2.Native.Videodev2;

namespace EdgeRtmp.Devices.V4l2;

/// <summary>What to ask a camera for. The driver may answer with something near it (see <see cref="V4l2CaptureFormat.Adjustment"/>).</summary>
public sealed record V4l2CaptureRequest(uint PixelFormat, int Width, int Height, int FramesPerSecond, int BufferCount = 4);

/// <summary>What the camera agreed to (S_FMT and S_PARM read back).</summary>
public sealed record V4l2CaptureFormat(uint PixelFormat, int Width, int Height, int BytesPerLine, int SizeImage, double FramesPerSecond)
{
    /// <summary>How the result differs from the request ("asked 1920x1080@30, got 1280x720@30"); null when it does not.</summary>
    public string? Adjustment { get; init; }

    public override string ToString() =>
        $"{V4l2PixelFormat.ToString(PixelFormat)} {Width}x{Height}@{FramesPerSecond.ToString("0.##", CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A camera streaming into memory-mapped buffers: open, QUERYCAP, S_FMT, S_PARM, REQBUFS/QUERYBUF/mmap, then
/// <see cref="Start"/>, <see cref="TryDequeue"/>/<see cref="Requeue"/> from one thread (a <see cref="V4l2CameraPump"/>),
/// <see cref="Dispose"/>. Single- and multi-planar capture; single-plane formats only (NV12M and the like are refused).
/// </summary>
public sealed unsafe class V4l2Capture : IDisposable
{
    private readonly V4l2Device _device;
    private readonly V4l2Queue _queue;

    private V4l2Capture(V4l2Device device, V4l2Queue queue, V4l2CaptureFormat format)
    {
        _device = device;
        _queue = queue;
        Format = format;
    }

    public V4l2Device Device => _device;

    public V4l2CaptureFormat Format { get; }

    public int BufferCount => _queue.Count;

    internal int Fd => _device.Fd;

    /// <summary>Opens <paramref name="path"/>, checks it is a camera, sets the format and rate, and maps the buffers.</summary>
    public static V4l2Capture Open(string path, V4l2CaptureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        V4l2Device device = V4l2Device.Open(path);
        try
        {
            if (!device.IsCamera)
            {
                throw new DeviceException(
                    $"{path}: '{device.Card}' ({device.Driver}) is not a video capture device with streaming I/O (capabilities 0x{device.Capabilities:X8})");
            }

            V4l2CaptureFormat format = SetFormat(device, request);
            var queue = new V4l2Queue(device, device.CaptureType, request.BufferCount);
            return new V4l2Capture(device, queue, format);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>Queues every buffer and starts streaming.</summary>
    public void Start()
    {
        for (int i = 0; i < _queue.Count; i++)
        {
            _queue.Queue(i);
        }

        _queue.StreamOn();
    }

    /// <summary>A filled buffer, if one is ready; give it back with <see cref="Requeue"/> once its payload is used.</summary>
    public bool TryDequeue(out V4l2DequeuedBuffer buffer) => _queue.TryDequeue(out buffer);

    /// <summary>The frame's bytes (bytesused, not the buffer length), valid until <see cref="Requeue"/>.</summary>
    public ReadOnlySpan<byte> Payload(in V4l2DequeuedBuffer buffer) => _queue.Payload(buffer);

    public void Requeue(in V4l2DequeuedBuffer buffer) => _queue.Queue(buffer.Index);

    public void Stop() => _queue.StreamOff();

    public void Dispose()
    {
        _queue.Dispose();
        _device.Dispose();
    }

    private static V4l2CaptureFormat SetFormat(V4l2Device device, V4l2CaptureRequest request)
    {
        uint type = device.CaptureType;
        v4l2_format format = default;
        format.type = type;
        if (type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE)
        {
            format.pix_mp.width = (uint)request.Width;
            format.pix_mp.height = (uint)request.Height;
            format.pix_mp.pixelformat = request.PixelFormat;
            format.pix_mp.field = V4L2_FIELD_NONE;
            format.pix_mp.num_planes = 1;
        }
        else
        {
            format.pix.width = (uint)request.Width;
            format.pix.height = (uint)request.Height;
            format.pix.pixelformat = request.PixelFormat;
            format.pix.field = V4L2_FIELD_NONE;
        }

        device.Ioctl(VIDIOC_S_FMT, &format, $"VIDIOC_S_FMT {V4l2PixelFormat.ToString(request.PixelFormat)} {request.Width}x{request.Height}");

        uint pixelFormat, width, height, bytesPerLine, sizeImage;
        if (type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE)
        {
            if (format.pix_mp.num_planes != 1)
            {
                throw new DeviceException(
                    $"{device.Path}: {V4l2PixelFormat.ToString(format.pix_mp.pixelformat)} has {format.pix_mp.num_planes} memory planes; only single-plane formats are supported");
            }

            pixelFormat = format.pix_mp.pixelformat;
            width = format.pix_mp.width;
            height = format.pix_mp.height;
            bytesPerLine = format.pix_mp.plane_fmt[0].bytesperline;
            sizeImage = format.pix_mp.plane_fmt[0].sizeimage;
        }
        else
        {
            pixelFormat = format.pix.pixelformat;
            width = format.pix.width;
            height = format.pix.height;
            bytesPerLine = format.pix.bytesperline;
            sizeImage = format.pix.sizeimage;
        }

        double framesPerSecond = SetFrameRate(device, type, request.FramesPerSecond);
        var result = new V4l2CaptureFormat(pixelFormat, (int)width, (int)height, (int)bytesPerLine, (int)sizeImage, framesPerSecond);
        bool rateDiffers = framesPerSecond > 0 && Math.Abs(framesPerSecond - request.FramesPerSecond) > 0.01;
        if (pixelFormat != request.PixelFormat || width != request.Width || height != request.Height || rateDiffers)
        {
            var asked = new V4l2CaptureFormat(request.PixelFormat, request.Width, request.Height, 0, 0, request.FramesPerSecond);
            result = result with { Adjustment = $"asked {asked}, the camera gave {result}" };
        }

        return result;
    }

    /// <summary>S_PARM with 1/fps when the driver supports frame intervals; returns the rate it settled on (0 when unknown).</summary>
    private static double SetFrameRate(V4l2Device device, uint type, int framesPerSecond)
    {
        v4l2_streamparm parameters = default;
        parameters.type = type;
        if (!device.TryIoctl(VIDIOC_G_PARM, &parameters, "VIDIOC_G_PARM"))
        {
            return 0;
        }

        if ((parameters.parm.capability & V4L2_CAP_TIMEPERFRAME) != 0 && framesPerSecond > 0)
        {
            parameters = default;
            parameters.type = type;
            parameters.parm.timeperframe.numerator = 1;
            parameters.parm.timeperframe.denominator = (uint)framesPerSecond;
            device.Ioctl(VIDIOC_S_PARM, &parameters, $"VIDIOC_S_PARM 1/{framesPerSecond}");
        }

        v4l2_fract interval = parameters.parm.timeperframe;
        return interval.numerator == 0 ? 0 : (double)interval.denominator / interval.numerator;
    }
}
