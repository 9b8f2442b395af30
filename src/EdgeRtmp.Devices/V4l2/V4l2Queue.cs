using EdgeRtmp.Devices.Native;
using static EdgeRtmp.Devices.V4l2.Native.Videodev2;

namespace EdgeRtmp.Devices.V4l2;

/// <summary>A buffer the driver handed back (DQBUF): which one, how many bytes are data, and when it was filled.</summary>
public readonly struct V4l2DequeuedBuffer
{
    public V4l2DequeuedBuffer(int index, int dataOffset, int bytesUsed, uint flags, uint sequence, long timestampMicroseconds)
    {
        Index = index;
        DataOffset = dataOffset;
        BytesUsed = bytesUsed;
        Flags = flags;
        Sequence = sequence;
        TimestampMicroseconds = timestampMicroseconds;
    }

    public int Index { get; }

    /// <summary>Where the payload starts in the buffer (a multi-planar plane's data_offset; usually 0).</summary>
    public int DataOffset { get; }

    /// <summary>The payload (bytesused): compressed frames are shorter than the buffer, and the rest is stale.</summary>
    public int BytesUsed { get; }

    /// <summary>V4L2_BUF_FLAG_*.</summary>
    public uint Flags { get; }

    public uint Sequence { get; }

    /// <summary>The driver's timestamp (struct timeval as microseconds); its clock is in <see cref="Flags"/>.</summary>
    public long TimestampMicroseconds { get; }

    public bool IsKeyframe => (Flags & V4L2_BUF_FLAG_KEYFRAME) != 0;

    public bool IsError => (Flags & V4L2_BUF_FLAG_ERROR) != 0;

    /// <summary>The last buffer of a drained stream (after ENCODER_CMD STOP).</summary>
    public bool IsLast => (Flags & V4L2_BUF_FLAG_LAST) != 0;

    /// <summary>The timestamp is CLOCK_MONOTONIC (the clock Stopwatch reads), so it maps onto the pipeline clock.</summary>
    public bool IsMonotonic => (Flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;

    /// <summary>An M2M CAPTURE buffer carries the timestamp of the OUTPUT buffer it was made from.</summary>
    public bool IsTimestampCopy => (Flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_COPY;
}

/// <summary>
/// One streaming queue of a node (capture, or an M2M device's OUTPUT or CAPTURE) with memory-mapped buffers:
/// REQBUFS, QUERYBUF and mmap of each buffer's first plane, QBUF/DQBUF, STREAMON/OFF. Single- and multi-planar buffer
/// types are handled here so callers see one shape; formats with more than one plane are refused where the format is
/// chosen. Queueing and dequeueing use stack structures only: nothing is allocated per buffer.
/// </summary>
internal sealed unsafe class V4l2Queue : IDisposable
{
    private readonly V4l2Device _device;
    private readonly nint[] _addresses;
    private readonly int[] _lengths;
    private readonly bool _multiPlanar;
    private bool _streaming;
    private bool _disposed;

    public V4l2Queue(V4l2Device device, uint bufferType, int count)
    {
        _device = device;
        BufferType = bufferType;
        _multiPlanar = bufferType is V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE or V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;

        v4l2_requestbuffers request = default;
        request.count = (uint)count;
        request.type = bufferType;
        request.memory = V4L2_MEMORY_MMAP;
        device.Ioctl(VIDIOC_REQBUFS, &request, $"VIDIOC_REQBUFS {TypeName(bufferType)} x{count}");
        if (request.count == 0)
        {
            throw new DeviceException($"{device.Path}: VIDIOC_REQBUFS {TypeName(bufferType)} gave no buffers");
        }

        _addresses = new nint[request.count];
        _lengths = new int[request.count];
        try
        {
            for (int index = 0; index < _addresses.Length; index++)
            {
                Map(index);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public uint BufferType { get; }

    public int Count => _addresses.Length;

    public string Name => TypeName(BufferType);

    /// <summary>Buffer <paramref name="index"/>'s whole mapped memory (its length, not its payload).</summary>
    public Span<byte> Memory(int index) => new((void*)_addresses[index], _lengths[index]);

    public int Length(int index) => _lengths[index];

    /// <summary>Gives buffer <paramref name="index"/> to the driver; for OUTPUT queues with its payload length and a timestamp (microseconds) to carry through.</summary>
    public void Queue(int index, int bytesUsed = 0, long timestampMicroseconds = 0)
    {
        v4l2_plane plane = default;
        v4l2_buffer buffer = Describe(index, &plane);
        buffer.timestamp_sec = timestampMicroseconds / 1_000_000;
        buffer.timestamp_usec = timestampMicroseconds % 1_000_000;
        if (_multiPlanar)
        {
            plane.bytesused = (uint)bytesUsed;
        }
        else
        {
            buffer.bytesused = (uint)bytesUsed;
        }

        int error = _device.IoctlErrno(VIDIOC_QBUF, &buffer);
        if (error != 0)
        {
            _device.ThrowIoctlFailed("VIDIOC_QBUF " + Name, error);
        }
    }

    /// <summary>Takes a filled (CAPTURE) or consumed (OUTPUT) buffer back; false when none is ready (EAGAIN).</summary>
    /// <remarks>EPIPE after the last buffer of a drained M2M stream also means "none": the caller saw FLAG_LAST.</remarks>
    public bool TryDequeue(out V4l2DequeuedBuffer dequeued)
    {
        v4l2_plane plane = default;
        v4l2_buffer buffer = Describe(0, &plane);
        int error = _device.IoctlErrno(VIDIOC_DQBUF, &buffer);
        if (error != 0)
        {
            if (error is Errno.EAGAIN or Errno.EPIPE)
            {
                dequeued = default;
                return false;
            }

            _device.ThrowIoctlFailed("VIDIOC_DQBUF " + Name, error);
        }

        long end = _multiPlanar ? plane.bytesused : buffer.bytesused;
        long start = _multiPlanar ? plane.data_offset : 0;
        if ((uint)buffer.index >= (uint)_addresses.Length || start > end || end > _lengths[buffer.index])
        {
            ThrowBadBuffer(buffer.index, start, end);
        }

        dequeued = new V4l2DequeuedBuffer(
            (int)buffer.index,
            (int)start,
            (int)(end - start),
            buffer.flags,
            buffer.sequence,
            (buffer.timestamp_sec * 1_000_000) + buffer.timestamp_usec);
        return true;
    }

    /// <summary>A dequeued buffer's payload: bytesused from its data offset, never the whole buffer.</summary>
    public ReadOnlySpan<byte> Payload(in V4l2DequeuedBuffer dequeued) => Memory(dequeued.Index).Slice(dequeued.DataOffset, dequeued.BytesUsed);

    public void StreamOn()
    {
        uint type = BufferType;
        _device.Ioctl(VIDIOC_STREAMON, &type, "VIDIOC_STREAMON " + Name);
        _streaming = true;
    }

    /// <summary>Stops streaming; every queued buffer returns to us. A device already gone is not an error here.</summary>
    public void StreamOff()
    {
        if (!_streaming)
        {
            return;
        }

        _streaming = false;
        uint type = BufferType;
        int error = _device.IoctlErrno(VIDIOC_STREAMOFF, &type);
        if (error is not (0 or Errno.ENODEV or Errno.EBADF))
        {
            _device.ThrowIoctlFailed("VIDIOC_STREAMOFF " + Name, error);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        StreamOffQuietly();
        for (int i = 0; i < _addresses.Length; i++)
        {
            if (_addresses[i] != 0)
            {
                Libc.munmap(_addresses[i], (nuint)_lengths[i]);
                _addresses[i] = 0;
            }
        }

        // Free the driver's buffers so the next open can allocate a new set (best effort: the device may be gone).
        v4l2_requestbuffers request = default;
        request.type = BufferType;
        request.memory = V4L2_MEMORY_MMAP;
        _device.IoctlErrno(VIDIOC_REQBUFS, &request);
    }

    internal static string TypeName(uint bufferType) => bufferType switch
    {
        V4L2_BUF_TYPE_VIDEO_CAPTURE => "CAPTURE",
        V4L2_BUF_TYPE_VIDEO_OUTPUT => "OUTPUT",
        V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE => "CAPTURE_MPLANE",
        V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE => "OUTPUT_MPLANE",
        _ => "type " + bufferType,
    };

    private void ThrowBadBuffer(uint index, long start, long end) => throw new DeviceException(
        $"{_device.Path}: VIDIOC_DQBUF {Name} returned buffer {index} with payload {start}..{end} outside its {(index < _lengths.Length ? _lengths[index] : 0)} bytes");

    private void StreamOffQuietly()
    {
        try
        {
            StreamOff();
        }
        catch (DeviceException)
        {
            // Closing anyway.
        }
    }

    private v4l2_buffer Describe(int index, v4l2_plane* plane)
    {
        v4l2_buffer buffer = default;
        buffer.index = (uint)index;
        buffer.type = BufferType;
        buffer.memory = V4L2_MEMORY_MMAP;
        if (_multiPlanar)
        {
            buffer.planes = plane;
            buffer.length = 1;
        }

        return buffer;
    }

    private void Map(int index)
    {
        v4l2_plane plane = default;
        v4l2_buffer buffer = Describe(index, &plane);
        _device.Ioctl(VIDIOC_QUERYBUF, &buffer, $"VIDIOC_QUERYBUF {Name} {index}");
        uint length = _multiPlanar ? plane.length : buffer.length;
        uint offset = _multiPlanar ? plane.mem_offset : buffer.offset;
        nint address = Libc.mmap(0, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, _device.Fd, offset);
        if (address == Libc.MAP_FAILED)
        {
            int errno = Errno.Last;
            throw new DeviceException($"{_device.Path}: mmap of {Name} buffer {index} ({length} bytes) failed: {Errno.Describe(errno)}", errno);
        }

        _addresses[index] = address;
        _lengths[index] = (int)length;
    }
}
