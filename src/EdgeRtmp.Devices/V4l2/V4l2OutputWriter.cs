using EdgeRtmp.Devices.Native;
using static EdgeRtmp.Devices.V4l2.Native.Videodev2;

namespace EdgeRtmp.Devices.V4l2;

/// <summary>
/// Writes frames into a V4L2 output node with write(): what feeds a v4l2loopback device, whose capture side then
/// behaves as a camera giving those frames (one write, one buffer). For the emulated box's H.264-camera test.
/// </summary>
public sealed unsafe class V4l2OutputWriter : IDisposable
{
    private readonly V4l2Device _device;

    private V4l2OutputWriter(V4l2Device device)
    {
        _device = device;
    }

    public static V4l2OutputWriter Open(string path, uint pixelFormat, int width, int height, int sizeImage)
    {
        V4l2Device device = V4l2Device.Open(path);
        try
        {
            v4l2_format format = default;
            format.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
            format.pix.width = (uint)width;
            format.pix.height = (uint)height;
            format.pix.pixelformat = pixelFormat;
            format.pix.field = V4L2_FIELD_NONE;
            format.pix.sizeimage = (uint)sizeImage;
            device.Ioctl(VIDIOC_S_FMT, &format, $"VIDIOC_S_FMT OUTPUT {V4l2PixelFormat.ToString(pixelFormat)} {width}x{height}");
            return new V4l2OutputWriter(device);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>Writes one frame; the node takes it whole or the call throws.</summary>
    public void Write(ReadOnlySpan<byte> frame)
    {
        fixed (byte* data = frame)
        {
            while (true)
            {
                nint written = Libc.write(_device.Fd, data, (nuint)frame.Length);
                if (written >= 0)
                {
                    return;
                }

                int errno = Errno.Last;
                if (errno is Errno.EINTR)
                {
                    continue;
                }

                if (errno is Errno.EAGAIN)
                {
                    // Non-blocking node with every buffer full (no reader): this frame is dropped, as a camera would.
                    return;
                }

                throw new DeviceException($"{_device.Path}: write of {frame.Length} bytes failed: {Errno.Describe(errno)}", errno);
            }
        }
    }

    public void Dispose() => _device.Dispose();
}
