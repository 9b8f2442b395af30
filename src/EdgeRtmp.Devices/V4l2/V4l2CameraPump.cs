using System.Globalization;
using EdgeRtmp.Devices.Native;

namespace EdgeRtmp.Devices.V4l2;

/// <summary>A frame handed to <see cref="IV4l2FrameHandler"/>: the camera's picture, or the M2M encoder's coded frame made from one.</summary>
public readonly struct V4l2Frame
{
    public V4l2Frame(uint pixelFormat, long timestampMicroseconds, bool isMonotonic, uint sequence, bool isKeyframe)
    {
        PixelFormat = pixelFormat;
        TimestampMicroseconds = timestampMicroseconds;
        IsMonotonic = isMonotonic;
        Sequence = sequence;
        IsKeyframe = isKeyframe;
    }

    /// <summary>The payload's format: the camera's, or the encoder's coded format.</summary>
    public uint PixelFormat { get; }

    /// <summary>When the camera captured the picture (kernel timestamp, microseconds); CLOCK_MONOTONIC when <see cref="IsMonotonic"/>.</summary>
    public long TimestampMicroseconds { get; }

    public bool IsMonotonic { get; }

    public uint Sequence { get; }

    /// <summary>The driver marked the buffer as a keyframe (encoders do; cameras giving H.264 may).</summary>
    public bool IsKeyframe { get; }
}

/// <summary>Receives frames on the device thread. The payload is the driver's buffer, valid only during the call: copy what you keep, and return quickly.</summary>
public interface IV4l2FrameHandler
{
    void OnFrame(ReadOnlySpan<byte> payload, in V4l2Frame frame);
}

/// <summary>
/// The device thread: blocked in <c>poll()</c> on the camera, the M2M encoder (when there is one) and an eventfd that
/// <see cref="Stop"/> writes. A camera frame goes to the handler, or is copied into a free encoder input buffer (dropped
/// when the encoder holds them all); coded frames go to the handler. Stopping drains the encoder (ENCODER_CMD STOP,
/// until FLAG_LAST or EOS). A device error ends the thread and faults <see cref="Completion"/> with the
/// <see cref="DeviceException"/> (ENODEV when unplugged); so does a camera silent for <c>frameTimeout</c>.
/// Nothing on this thread allocates per frame; <see cref="AllocatedBytesAfterWarmup"/> checks that on real devices.
/// </summary>
public sealed unsafe class V4l2CameraPump : IDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private readonly V4l2Capture _capture;
    private readonly V4l2M2mEncoder? _encoder;
    private readonly IV4l2FrameHandler _handler;
    private readonly int _frameTimeoutMs;
    private readonly int _warmupFrames;
    private readonly FileDescriptorHandle _wake;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private bool _monotonicCamera;
    private long _allocatedAtWarmup = -1;
    private long _allocatedLatest;
    private long _cpuAtWarmup = -1;
    private long _cpuLatest;
    private long _framesAtWarmup;
    private long _framesCaptured;
    private long _framesDropped;
    private long _framesCoded;

    public V4l2CameraPump(V4l2Capture capture, V4l2M2mEncoder? encoder, IV4l2FrameHandler handler, TimeSpan frameTimeout, int warmupFrames = 30)
    {
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentNullException.ThrowIfNull(handler);
        _capture = capture;
        _encoder = encoder;
        _handler = handler;
        _frameTimeoutMs = (int)Math.Clamp(frameTimeout.TotalMilliseconds, 1, int.MaxValue);
        _warmupFrames = warmupFrames;
        int fd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (fd < 0)
        {
            int errno = Errno.Last;
            throw new DeviceException("eventfd failed: " + Errno.Describe(errno), errno);
        }

        _wake = new FileDescriptorHandle(fd);
    }

    /// <summary>Completes when the thread ends: normally after <see cref="Stop"/>, faulted on a device error.</summary>
    public Task Completion => _completion.Task;

    public long FramesCaptured => Volatile.Read(ref _framesCaptured);

    /// <summary>Camera frames not encoded because every encoder input buffer was busy.</summary>
    public long FramesDropped => Volatile.Read(ref _framesDropped);

    public long FramesCoded => Volatile.Read(ref _framesCoded);

    /// <summary>The encoder drained on stop: its last buffer carried V4L2_BUF_FLAG_LAST (or it sent EOS).</summary>
    public bool EncoderDrained => _encoder?.Drained ?? false;

    /// <summary>Bytes the device thread allocated after its first <c>warmupFrames</c> frames (-1 before then): should stay 0.</summary>
    public long AllocatedBytesAfterWarmup => Volatile.Read(ref _allocatedAtWarmup) < 0 ? -1 : Volatile.Read(ref _allocatedLatest) - _allocatedAtWarmup;

    /// <summary>The device thread's CPU time per captured frame after warm-up (dequeue, handler, encoder hand-off), in microseconds; -1 before then.</summary>
    public double CpuMicrosecondsPerFrame
    {
        get
        {
            long frames = FramesCaptured - _framesAtWarmup;
            return Volatile.Read(ref _cpuAtWarmup) < 0 || frames <= 0 ? -1 : (Volatile.Read(ref _cpuLatest) - _cpuAtWarmup) / 1000.0 / frames;
        }
    }

    /// <summary>Starts the camera (and encoder) streaming on a thread of its own.</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("the pump runs once");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "v4l2 " + Path.GetFileName(_capture.Device.Path) };
        _thread.Start();
    }

    /// <summary>Asks the thread to stop (draining the encoder); await <see cref="Completion"/> for the end.</summary>
    public void Stop()
    {
        if (_wake.IsClosed)
        {
            return;
        }

        ulong one = 1;
        Libc.write(_wake.Fd, &one, sizeof(ulong));
    }

    public void Dispose()
    {
        Stop();
        _thread?.Join(DrainTimeout + DrainTimeout);
        _wake.Dispose();
    }

    private void Run()
    {
        try
        {
            _capture.Start();
            _encoder?.Start();
            Loop();
            _completion.TrySetResult();
        }
        catch (Exception exception)
        {
            _completion.TrySetException(exception);
        }
        finally
        {
            StopQuietly();
        }
    }

    private void Loop()
    {
        Libc.pollfd* fds = stackalloc Libc.pollfd[3];
        fds[0] = new Libc.pollfd { fd = _wake.Fd, events = Libc.POLLIN };
        fds[1] = new Libc.pollfd { fd = _capture.Fd, events = Libc.POLLIN };
        fds[2] = new Libc.pollfd { fd = _encoder?.Fd ?? -1, events = Libc.POLLIN | Libc.POLLOUT | Libc.POLLPRI };
        bool draining = false;
        int timeout = _frameTimeoutMs;
        while (true)
        {
            int ready = Libc.Poll(fds, 3, timeout);
            if (ready < 0)
            {
                throw new DeviceException($"{_capture.Device.Path}: poll failed: {Errno.Describe(-ready)}", -ready);
            }

            if (ready == 0)
            {
                if (draining)
                {
                    return; // the encoder did not finish draining in time: stop anyway
                }

                throw new DeviceException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{_capture.Device.Path}: no frame from the camera in {_frameTimeoutMs} ms (stalled)"));
            }

            if (fds[0].revents != 0)
            {
                // Stop: no more camera frames; let the encoder finish what it holds.
                fds[0].fd = -1;
                fds[1].fd = -1;
                draining = true;
                timeout = (int)DrainTimeout.TotalMilliseconds;
                if (_encoder?.StartDrain() != true)
                {
                    return;
                }
            }

            if (fds[1].revents != 0)
            {
                OnCameraReady(fds[1].revents);
            }

            if (fds[2].revents != 0 && OnEncoderReady(fds[2].revents))
            {
                return;
            }
        }
    }

    private void OnCameraReady(short revents)
    {
        if (!_capture.TryDequeue(out V4l2DequeuedBuffer buffer))
        {
            if ((revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0)
            {
                throw new DeviceException(
                    $"{_capture.Device.Path}: the camera reported an error (poll revents 0x{revents:X}) and has no frame", Errno.EIO);
            }

            return;
        }

        try
        {
            if (!buffer.IsError)
            {
                Deliver(buffer);
            }
        }
        finally
        {
            _capture.Requeue(buffer);
        }

        long captured = ++_framesCaptured;
        Volatile.Write(ref _framesCaptured, captured);
        Measure(captured);
    }

    private void Deliver(in V4l2DequeuedBuffer buffer)
    {
        V4l2CaptureFormat format = _capture.Format;
        ReadOnlySpan<byte> payload = _capture.Payload(buffer);
        if (_encoder is null)
        {
            _handler.OnFrame(payload, new V4l2Frame(format.PixelFormat, buffer.TimestampMicroseconds, buffer.IsMonotonic, buffer.Sequence, buffer.IsKeyframe));
            return;
        }

        // The timestamp rides through the encoder (V4L2_BUF_FLAG_TIMESTAMP_COPY) and comes back on the coded frame.
        _monotonicCamera = buffer.IsMonotonic;
        int stride = format.BytesPerLine > 0 ? format.BytesPerLine : payload.Length / Math.Max(1, format.Height);
        if (!_encoder.TryEncode(payload, stride, buffer.TimestampMicroseconds, format.PixelFormat, format.Width, format.Height))
        {
            Volatile.Write(ref _framesDropped, _framesDropped + 1);
        }
    }

    /// <summary>Returns true when the encoder has drained (stop finished).</summary>
    private bool OnEncoderReady(short revents)
    {
        V4l2M2mEncoder encoder = _encoder!;
        if ((revents & Libc.POLLPRI) != 0)
        {
            encoder.DequeueEvents();
        }

        if ((revents & Libc.POLLOUT) != 0)
        {
            encoder.RecycleInputs();
        }

        bool any = false;
        if ((revents & Libc.POLLIN) != 0)
        {
            while (encoder.TryDequeueCoded(out V4l2DequeuedBuffer coded))
            {
                any = true;
                try
                {
                    if (coded.BytesUsed > 0 && !coded.IsError)
                    {
                        _handler.OnFrame(
                            encoder.Payload(coded),
                            new V4l2Frame(encoder.CodedFormat, coded.TimestampMicroseconds, IsCameraMonotonic(coded), coded.Sequence, coded.IsKeyframe));
                        Volatile.Write(ref _framesCoded, _framesCoded + 1);
                    }
                }
                finally
                {
                    encoder.RequeueCoded(coded);
                }
            }
        }

        if (encoder.Drained)
        {
            return true;
        }

        if (!any && (revents & (Libc.POLLERR | Libc.POLLNVAL)) != 0)
        {
            throw new DeviceException($"{encoder.Device.Path}: the encoder reported an error (poll revents 0x{revents:X})", Errno.EIO);
        }

        return false;
    }

    /// <summary>A coded frame's timestamp is the camera's when the encoder copies it (the rule for M2M encoders).</summary>
    private bool IsCameraMonotonic(in V4l2DequeuedBuffer coded) => coded.IsTimestampCopy && _monotonicCamera;

    private void Measure(long captured)
    {
        if (captured < _warmupFrames)
        {
            return;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long cpu = Libc.ClockNanoseconds(Libc.CLOCK_THREAD_CPUTIME_ID);
        if (_allocatedAtWarmup < 0)
        {
            _framesAtWarmup = captured;
            Volatile.Write(ref _cpuAtWarmup, cpu);
            Volatile.Write(ref _allocatedAtWarmup, allocated);
        }

        Volatile.Write(ref _cpuLatest, cpu);
        Volatile.Write(ref _allocatedLatest, allocated);
    }

    private void StopQuietly()
    {
        try
        {
            _capture.Stop();
        }
        catch (DeviceException)
        {
            // Stopping a device that is gone.
        }
    }
}
