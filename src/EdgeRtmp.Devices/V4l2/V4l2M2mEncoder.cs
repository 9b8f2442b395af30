using System.Globalization;
using EdgeRtmp.Devices.Native;
using static EdgeRtmp.Devices.V4l2.Native.Videodev2;

namespace EdgeRtmp.Devices.V4l2;

/// <summary>What the encoder is asked to do. Controls the device lacks are skipped and listed in <see cref="V4l2M2mEncoder.SkippedControls"/>.</summary>
public sealed record V4l2EncoderSettings(
    uint InputFormat,
    int Width,
    int Height,
    int FramesPerSecond,
    int BitrateKbps,
    int KeyframeInterval,
    uint CodedFormat = V4l2PixelFormat.H264,
    int InputBuffers = 4,
    int OutputBuffers = 8,
    int CodedBufferSize = 512 * 1024);

/// <summary>
/// A V4L2 memory-to-memory encoder driven through the stateful encoder interface (kernel Documentation
/// userspace-api/media/v4l/dev-encoder.rst): raw pictures go in on the OUTPUT queue, coded frames come out on the
/// CAPTURE queue. Raspberry Pi 0–4's bcm2835-codec (<c>/dev/video11</c>, H.264) and the kernel's vicodec (FWHT) speak
/// it; found by capability and formats, not by path (<see cref="Find"/>). Single- and multi-planar queues.
/// </summary>
/// <remarks>
/// Setup order (dev-encoder.rst "Initialization"): S_FMT CAPTURE (coded format first: it decides what OUTPUT
/// accepts), S_FMT OUTPUT (raw format and size), S_PARM OUTPUT (rate), controls, REQBUFS and mmap both queues, subscribe
/// EOS and SOURCE_CHANGE, STREAMON both, queue every CAPTURE buffer. Drain: ENCODER_CMD STOP, then CAPTURE buffers
/// until one carries V4L2_BUF_FLAG_LAST. Called from one thread (a <see cref="V4l2CameraPump"/>) only.
/// </remarks>
public sealed unsafe class V4l2M2mEncoder : IDisposable
{
    private readonly V4l2Device _device;
    private readonly V4l2Queue _input;
    private readonly V4l2Queue _output;
    private readonly int[] _freeInputs;
    private int _freeInputCount;
    private bool _started;

    private V4l2M2mEncoder(V4l2Device device, V4l2Queue input, V4l2Queue output, uint codedFormat, int inputStride, int inputSize, List<string> applied, List<string> skipped)
    {
        _device = device;
        CodedFormat = codedFormat;
        _input = input;
        _output = output;
        InputStride = inputStride;
        InputSize = inputSize;
        AppliedControls = applied;
        SkippedControls = skipped;
        _freeInputs = new int[input.Count];
    }

    public V4l2Device Device => _device;

    /// <summary>What comes out: H.264, or FWHT for vicodec.</summary>
    public uint CodedFormat { get; }

    /// <summary>Bytes per line of the encoder's input buffers (may be aligned wider than the picture).</summary>
    public int InputStride { get; }

    public int InputSize { get; }

    /// <summary>The controls set, as "name=value" ("bitrate=2000000").</summary>
    public IReadOnlyList<string> AppliedControls { get; }

    /// <summary>The controls this device does not have (vicodec has no bitrate; bcm2835-codec has no GOP size).</summary>
    public IReadOnlyList<string> SkippedControls { get; }

    /// <summary>The encoder finished draining (a CAPTURE buffer with FLAG_LAST, or an EOS event).</summary>
    public bool Drained { get; private set; }

    /// <summary>Source-change events seen (an encoder raises one when it changes the coded size itself).</summary>
    public int SourceChanges { get; private set; }

    internal int Fd => _device.Fd;

    /// <summary>
    /// The first M2M node (in /dev/videoN order) whose CAPTURE queue offers <paramref name="codedFormat"/> and whose
    /// OUTPUT queue takes <paramref name="inputFormat"/> (any raw format when 0). Nodes that cannot be opened are passed over.
    /// </summary>
    public static string? Find(uint codedFormat, uint inputFormat = 0, string devDirectory = "/dev")
    {
        foreach (string path in V4l2Device.ListNodes(devDirectory))
        {
            try
            {
                using V4l2Device device = V4l2Device.Open(path);
                if (Accepts(device, codedFormat, inputFormat))
                {
                    return path;
                }
            }
            catch (DeviceException)
            {
                // Busy, gone or not V4L2: not the encoder we can use.
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="device"/> is an M2M encoder from <paramref name="inputFormat"/> (0: any raw) to <paramref name="codedFormat"/>.</summary>
    public static bool Accepts(V4l2Device device, uint codedFormat, uint inputFormat)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.IsMemoryToMemory || !device.CanStream)
        {
            return false;
        }

        bool codes = device.EnumerateFormats(device.CaptureType).Any(f => f.PixelFormat == codedFormat);
        bool takes = device.EnumerateFormats(device.OutputType)
            .Any(f => inputFormat == 0 ? V4l2PixelFormat.IsRaw(f.PixelFormat) : f.PixelFormat == inputFormat);
        return codes && takes;
    }

    public static V4l2M2mEncoder Open(string path, V4l2EncoderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        V4l2Device device = V4l2Device.Open(path);
        V4l2Queue? input = null;
        V4l2Queue? output = null;
        try
        {
            if (!Accepts(device, settings.CodedFormat, settings.InputFormat))
            {
                throw new DeviceException(
                    $"{path}: '{device.Card}' ({device.Driver}) is not an M2M encoder from {V4l2PixelFormat.ToString(settings.InputFormat)} to {V4l2PixelFormat.ToString(settings.CodedFormat)}");
            }

            SetCodedFormat(device, settings);
            (int stride, int size) = SetInputFormat(device, settings);
            SetRate(device, settings.FramesPerSecond);
            var applied = new List<string>();
            var skipped = new List<string>();
            ApplyControls(device, settings, applied, skipped);
            input = new V4l2Queue(device, device.OutputType, settings.InputBuffers);
            output = new V4l2Queue(device, device.CaptureType, settings.OutputBuffers);
            return new V4l2M2mEncoder(device, input, output, settings.CodedFormat, stride, size, applied, skipped);
        }
        catch
        {
            output?.Dispose();
            input?.Dispose();
            device.Dispose();
            throw;
        }
    }

    /// <summary>Subscribes to EOS and source-change events, starts both queues and hands every CAPTURE buffer to the driver.</summary>
    public void Start()
    {
        Subscribe(V4L2_EVENT_EOS);
        Subscribe(V4L2_EVENT_SOURCE_CHANGE);
        _input.StreamOn();
        for (int i = 0; i < _output.Count; i++)
        {
            _output.Queue(i);
        }

        _output.StreamOn();
        for (int i = 0; i < _input.Count; i++)
        {
            _freeInputs[i] = i;
        }

        _freeInputCount = _input.Count;
        _started = true;
    }

    /// <summary>
    /// Copies a raw picture into a free input buffer and queues it, with <paramref name="timestampMicroseconds"/> to
    /// come back on the coded frame. False when every input buffer is still with the encoder: the caller drops the picture.
    /// </summary>
    public bool TryEncode(ReadOnlySpan<byte> picture, int pictureStride, long timestampMicroseconds, uint pixelFormat, int width, int height)
    {
        if (_freeInputCount == 0 || Drained)
        {
            return false;
        }

        int index = _freeInputs[--_freeInputCount];
        int length = RawImageCopy.Copy(pixelFormat, width, height, picture, pictureStride, _input.Memory(index), InputStride);
        _input.Queue(index, length, timestampMicroseconds);
        return true;
    }

    /// <summary>Takes back the input buffers the encoder has consumed (POLLOUT).</summary>
    public void RecycleInputs()
    {
        while (_input.TryDequeue(out V4l2DequeuedBuffer done))
        {
            _freeInputs[_freeInputCount++] = done.Index;
        }
    }

    /// <summary>A coded frame, if one is ready (POLLIN); give it back with <see cref="RequeueCoded"/>.</summary>
    public bool TryDequeueCoded(out V4l2DequeuedBuffer coded)
    {
        if (!_output.TryDequeue(out coded))
        {
            return false;
        }

        if (coded.IsLast)
        {
            Drained = true;
        }

        return true;
    }

    public ReadOnlySpan<byte> Payload(in V4l2DequeuedBuffer coded) => _output.Payload(coded);

    public void RequeueCoded(in V4l2DequeuedBuffer coded)
    {
        if (!Drained)
        {
            _output.Queue(coded.Index);
        }
    }

    /// <summary>Reads pending events (POLLPRI): EOS marks the drain finished, SOURCE_CHANGE is counted.</summary>
    public void DequeueEvents()
    {
        for (int i = 0; i < 64; i++)
        {
            v4l2_event received = default;
            int error = _device.IoctlErrno(VIDIOC_DQEVENT, &received);
            if (error is Errno.ENOENT or Errno.EAGAIN)
            {
                return;
            }

            if (error != 0)
            {
                _device.ThrowIoctlFailed("VIDIOC_DQEVENT", error);
            }

            if (received.type == V4L2_EVENT_EOS)
            {
                Drained = true;
            }
            else if (received.type == V4L2_EVENT_SOURCE_CHANGE)
            {
                SourceChanges++;
            }

            if (received.pending == 0)
            {
                return;
            }
        }
    }

    /// <summary>ENCODER_CMD STOP: the encoder finishes the pictures it holds, then marks its last buffer. False when it cannot drain (then just stop).</summary>
    public bool StartDrain()
    {
        if (!_started || Drained)
        {
            return false;
        }

        v4l2_encoder_cmd command = default;
        command.cmd = V4L2_ENC_CMD_STOP;
        return _device.IoctlErrno(VIDIOC_ENCODER_CMD, &command) == 0;
    }

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
        _device.Dispose();
    }

    private void Subscribe(uint type)
    {
        v4l2_event_subscription subscription = default;
        subscription.type = type;
        // Drivers without the event are fine: EOS then shows only as FLAG_LAST.
        _device.TryIoctl(VIDIOC_SUBSCRIBE_EVENT, &subscription, "VIDIOC_SUBSCRIBE_EVENT");
    }

    private static void SetCodedFormat(V4l2Device device, V4l2EncoderSettings settings)
    {
        v4l2_format format = default;
        format.type = device.CaptureType;
        if (device.IsMultiPlanar)
        {
            format.pix_mp.width = (uint)settings.Width;
            format.pix_mp.height = (uint)settings.Height;
            format.pix_mp.pixelformat = settings.CodedFormat;
            format.pix_mp.num_planes = 1;
            format.pix_mp.plane_fmt[0].sizeimage = (uint)settings.CodedBufferSize;
        }
        else
        {
            format.pix.width = (uint)settings.Width;
            format.pix.height = (uint)settings.Height;
            format.pix.pixelformat = settings.CodedFormat;
            format.pix.sizeimage = (uint)settings.CodedBufferSize;
        }

        device.Ioctl(VIDIOC_S_FMT, &format, $"VIDIOC_S_FMT CAPTURE {V4l2PixelFormat.ToString(settings.CodedFormat)}");
    }

    private static (int Stride, int Size) SetInputFormat(V4l2Device device, V4l2EncoderSettings settings)
    {
        v4l2_format format = default;
        format.type = device.OutputType;
        uint width, height, pixelFormat, stride, size;
        if (device.IsMultiPlanar)
        {
            format.pix_mp.width = (uint)settings.Width;
            format.pix_mp.height = (uint)settings.Height;
            format.pix_mp.pixelformat = settings.InputFormat;
            format.pix_mp.field = V4L2_FIELD_NONE;
            format.pix_mp.num_planes = 1;
            device.Ioctl(VIDIOC_S_FMT, &format, $"VIDIOC_S_FMT OUTPUT {V4l2PixelFormat.ToString(settings.InputFormat)} {settings.Width}x{settings.Height}");
            if (format.pix_mp.num_planes != 1)
            {
                throw new DeviceException($"{device.Path}: the encoder wants {format.pix_mp.num_planes} memory planes for its input; only one is supported");
            }

            (width, height, pixelFormat) = (format.pix_mp.width, format.pix_mp.height, format.pix_mp.pixelformat);
            (stride, size) = (format.pix_mp.plane_fmt[0].bytesperline, format.pix_mp.plane_fmt[0].sizeimage);
        }
        else
        {
            format.pix.width = (uint)settings.Width;
            format.pix.height = (uint)settings.Height;
            format.pix.pixelformat = settings.InputFormat;
            format.pix.field = V4L2_FIELD_NONE;
            device.Ioctl(VIDIOC_S_FMT, &format, $"VIDIOC_S_FMT OUTPUT {V4l2PixelFormat.ToString(settings.InputFormat)} {settings.Width}x{settings.Height}");
            (width, height, pixelFormat) = (format.pix.width, format.pix.height, format.pix.pixelformat);
            (stride, size) = (format.pix.bytesperline, format.pix.sizeimage);
        }

        // Frames are copied in as they come from the camera: a different size or format would need scaling, which we do not do.
        if (width != settings.Width || height != settings.Height || pixelFormat != settings.InputFormat)
        {
            throw new DeviceException(string.Create(
                CultureInfo.InvariantCulture,
                $"{device.Path}: the encoder takes {V4l2PixelFormat.ToString(pixelFormat)} {width}x{height}, not the camera's {V4l2PixelFormat.ToString(settings.InputFormat)} {settings.Width}x{settings.Height}"));
        }

        if (stride == 0)
        {
            stride = (uint)(settings.InputFormat is V4l2PixelFormat.Yuyv or V4l2PixelFormat.Uyvy ? settings.Width * 2 : settings.Width);
        }

        return ((int)stride, (int)size);
    }

    private static void SetRate(V4l2Device device, int framesPerSecond)
    {
        v4l2_streamparm parameters = default;
        parameters.type = device.OutputType;
        parameters.parm.timeperframe.numerator = 1;
        parameters.parm.timeperframe.denominator = (uint)Math.Max(1, framesPerSecond);
        // Not every encoder takes a rate (vicodec does since 5.x; bcm2835-codec does); without it, bitrate control guesses.
        device.TryIoctl(VIDIOC_S_PARM, &parameters, "VIDIOC_S_PARM OUTPUT");
    }

    private static void ApplyControls(V4l2Device device, V4l2EncoderSettings settings, List<string> applied, List<string> skipped)
    {
        bool h264 = settings.CodedFormat == V4l2PixelFormat.H264;
        Set(V4L2_CID_MPEG_VIDEO_BITRATE_MODE, "bitrate_mode", 1); // CBR: a live link has a fixed budget
        Set(V4L2_CID_MPEG_VIDEO_BITRATE, "bitrate", settings.BitrateKbps * 1000);
        Set(V4L2_CID_MPEG_VIDEO_GOP_SIZE, "gop_size", settings.KeyframeInterval);
        if (h264)
        {
            Set(V4L2_CID_MPEG_VIDEO_H264_I_PERIOD, "h264_i_period", settings.KeyframeInterval);
            // Constrained Baseline plays everywhere (Flash-era players, browsers' MSE) and has no B-frames.
            Set(V4L2_CID_MPEG_VIDEO_H264_PROFILE, "h264_profile", 1);
            // Level 4.0 (menu index 11) covers 1080p30; the driver refuses levels it cannot do, then we keep its default.
            Set(V4L2_CID_MPEG_VIDEO_H264_LEVEL, "h264_level", 11);
            Set(V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER, "repeat_sequence_header", 1);
        }

        void Set(uint id, string name, int value)
        {
            V4l2ControlInfo? control = device.QueryControl(id);
            if (control is null)
            {
                skipped.Add(name);
                return;
            }

            int clamped = Math.Clamp(value, control.Minimum, control.Maximum);
            try
            {
                device.SetControl(id, clamped);
                applied.Add(string.Create(CultureInfo.InvariantCulture, $"{name}={clamped}"));
            }
            catch (DeviceException exception) when (exception.Errno is Errno.EINVAL or Errno.ERANGE or Errno.EACCES)
            {
                skipped.Add(string.Create(CultureInfo.InvariantCulture, $"{name}={clamped} ({Errno.Describe(exception.Errno)})"));
            }
        }
    }
}
