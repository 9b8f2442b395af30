using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using EdgeRtmp.Protocol.Chunking;

namespace EdgeRtmp.Media;

/// <summary>
/// What a frame carries. The values are ours, not a wire format's: RTMP maps them to message types in
/// <c>EdgeRtmp.Net.Connection.MediaMessageTypes</c>, FLV to tag types in <see cref="Flv.FlvFrames.TagTypeOf"/>.
/// </summary>
public enum MediaKind : byte
{
    Audio = 1,
    Video = 2,
    /// <summary>AMF0 data such as <c>onMetaData</c>.</summary>
    Data = 3,
}

[Flags]
public enum MediaFrameFlags : byte
{
    None = 0,
    /// <summary>A video frame a decoder can start from.</summary>
    Keyframe = 1,
    /// <summary>Decoder configuration (AVC/HEVC/AAC sequence header) rather than media.</summary>
    SequenceHeader = 2,
    /// <summary>A data frame that describes the stream (<c>onMetaData</c>): kept for late joiners.</summary>
    Metadata = 4,
}

/// <summary>
/// One audio, video or data message as RTMP and FLV carry it (the tag body), in a pooled buffer with a
/// reference count, so one frame fans out to every consumer without a copy. Whoever keeps a frame
/// beyond the call that handed it over calls <see cref="AddReference"/> and later <see cref="Release"/>;
/// the last release returns it to its pool. Payload bytes are read-only once the frame is shared.
/// <para>
/// Consumers that chunk the frame for RTMP can ask for <see cref="TryGetChunkedBody"/>: the payload cut into
/// chunks with type-3 headers between them, built once and shared by every connection with the same
/// chunk size (see <see cref="ChunkWriter.WriteChunkedBody"/>).
/// </para>
/// </summary>
public sealed class MediaFrame
{
    private readonly MediaFramePool _pool;
    private readonly byte[] _buffer;
    private int _length;
    private int _references;
    private readonly Lock _bodyGate = new();
    private byte[]? _body;
    private int _bodyLength;
    private long _bodyKey;

    internal MediaFrame(MediaFramePool pool, int sizeClass, byte[] buffer)
    {
        _pool = pool;
        SizeClass = sizeClass;
        _buffer = buffer;
    }

    public MediaKind Kind { get; private set; }
    public uint Timestamp { get; private set; }
    public MediaFrameFlags Flags { get; private set; }
    public bool IsKeyframe => (Flags & MediaFrameFlags.Keyframe) != 0;
    public bool IsSequenceHeader => (Flags & MediaFrameFlags.SequenceHeader) != 0;
    public bool IsMetadata => (Flags & MediaFrameFlags.Metadata) != 0;
    public int Length => _length;
    public ReadOnlyMemory<byte> Payload => new(_buffer, 0, _length);
    public ReadOnlySpan<byte> Span => new(_buffer, 0, _length);

    /// <summary>The payload as an array segment, for gathered socket writes.</summary>
    public ArraySegment<byte> Segment => new(_buffer, 0, _length);

    /// <summary>The pool's size class this frame's buffers belong to; -1 for a frame too large to keep.</summary>
    internal int SizeClass { get; }

    /// <summary>Bytes this frame holds while it waits in its pool: the payload buffer and the chunked-body buffer.</summary>
    internal int RetainedBytes => _buffer.Length + (_body?.Length ?? 0);

    public void AddReference()
    {
        int references = Interlocked.Increment(ref _references);
        Debug.Assert(references > 1, "AddReference on a released frame");
    }

    public void Release()
    {
        int references = Interlocked.Decrement(ref _references);
        if (references == 0)
        {
            _bodyKey = 0;
            _pool.Return(this);
        }
        else if (references < 0)
        {
            throw new InvalidOperationException("A media frame was released more often than it was referenced.");
        }
    }

    /// <summary>
    /// The chunked form of the payload for (<paramref name="chunkSize"/>, <paramref name="chunkStreamId"/>,
    /// <paramref name="timestamp"/>): built the first time and kept while the
    /// frame lives. A request with other parameters than the kept one gets false and builds its own.
    /// A payload that fits one chunk is its own body.
    /// </summary>
    public bool TryGetChunkedBody(int chunkSize, int chunkStreamId, uint timestamp, out ArraySegment<byte> body)
    {
        if (_length <= chunkSize)
        {
            body = Segment;
            return true;
        }

        // Continuation headers depend on the chunk stream id and, past 0xFFFFFF, on the timestamp.
        long key = ((long)chunkSize << 32) ^ ((long)chunkStreamId << 48) ^ (timestamp >= 0xFFFFFF ? timestamp : 0);
        lock (_bodyGate)
        {
            if (_bodyKey == 0)
            {
                // The body buffer stays with the (pooled) frame, like the payload buffer, and is made for the largest
                // payload of the frame's size class: reused for a new payload, it is replaced only when the chunk
                // size becomes smaller.
                _bodyLength = ChunkWriter.ChunkedBodyLength(_length, chunkSize, chunkStreamId, timestamp);
                if (_body is null || _body.Length < _bodyLength)
                {
                    _body = GC.AllocateUninitializedArray<byte>(ChunkWriter.ChunkedBodyLength(_buffer.Length, chunkSize, chunkStreamId, timestamp));
                }

                ChunkWriter.WriteChunkedBody(_body.AsSpan(0, _bodyLength), Span, chunkSize, chunkStreamId, timestamp);
                _bodyKey = key;
            }

            if (_bodyKey == key)
            {
                body = new ArraySegment<byte>(_body!, 0, _bodyLength);
                return true;
            }
        }

        body = default;
        return false;
    }

    internal void Initialize(MediaKind kind, uint timestamp, MediaFrameFlags flags, int length)
    {
        Debug.Assert(length <= _buffer.Length, "a frame from the wrong size class");
        Kind = kind;
        Timestamp = timestamp;
        Flags = flags;
        _length = length;
        _references = 1;
    }

    internal Span<byte> WritableSpan => new(_buffer, 0, _length);
}

/// <summary>
/// Frames with their buffers, reused by size class (powers of two from 512 bytes to 1 MiB): a frame comes
/// back to the class it was made for and keeps its payload and chunked-body buffers, so the steady state
/// allocates nothing, however audio, small P frames and large keyframes interleave. Each class keeps up to
/// <see cref="MaxRetainedBytesPerClass"/> (and at most <see cref="MaxFramesPerClass"/> frames): enough for
/// the frames a GOP cache and the send queues hold at once, which all come back together when a GOP is
/// dropped. Frames larger than 1 MiB are made for their one use and left to the GC.
/// </summary>
public sealed class MediaFramePool
{
    public const int SmallestClassLength = 512;
    public const int LargestClassLength = 1024 * 1024;
    public const int MaxRetainedBytesPerClass = 16 * 1024 * 1024;
    public const int MaxFramesPerClass = 1024;
    private const int SmallestClassLog2 = 9;
    private const int ClassCount = 12;

    private readonly Lock _gate = new();
    private readonly Stack<MediaFrame>[] _free = new Stack<MediaFrame>[ClassCount];
    private readonly long[] _retainedBytes = new long[ClassCount];

    public MediaFramePool()
    {
        for (int i = 0; i < ClassCount; i++)
        {
            _free[i] = new Stack<MediaFrame>();
        }
    }

    public static MediaFramePool Shared { get; } = new();

    /// <summary>Bytes held by frames waiting in the pool, over every size class.</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_gate)
            {
                long total = 0;
                foreach (long bytes in _retainedBytes)
                {
                    total += bytes;
                }

                return total;
            }
        }
    }

    /// <summary>A frame holding a copy of <paramref name="payload"/>, with one reference owned by the caller.</summary>
    public MediaFrame Rent(MediaKind kind, uint timestamp, MediaFrameFlags flags, ReadOnlySpan<byte> payload)
    {
        MediaFrame frame = Rent(kind, timestamp, flags, payload.Length);
        payload.CopyTo(frame.WritableSpan);
        return frame;
    }

    /// <summary>A frame of <paramref name="length"/> bytes for the caller to fill through <paramref name="fill"/>.</summary>
    public MediaFrame Rent<TState>(MediaKind kind, uint timestamp, MediaFrameFlags flags, int length, TState state, SpanAction<byte, TState> fill)
    {
        MediaFrame frame = Rent(kind, timestamp, flags, length);
        fill(frame.WritableSpan, state);
        return frame;
    }

    /// <summary>The size class of a payload of <paramref name="length"/> bytes; -1 past the largest.</summary>
    internal static int SizeClassOf(int length)
    {
        if (length > LargestClassLength)
        {
            return -1;
        }

        return length <= SmallestClassLength ? 0 : BitOperations.Log2((uint)length - 1) + 1 - SmallestClassLog2;
    }

    private MediaFrame Rent(MediaKind kind, uint timestamp, MediaFrameFlags flags, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int sizeClass = SizeClassOf(length);
        MediaFrame? frame = null;
        if (sizeClass >= 0)
        {
            lock (_gate)
            {
                if (_free[sizeClass].TryPop(out frame))
                {
                    _retainedBytes[sizeClass] -= frame.RetainedBytes;
                }
            }
        }

        frame ??= new MediaFrame(this, sizeClass, GC.AllocateUninitializedArray<byte>(sizeClass >= 0 ? SmallestClassLength << sizeClass : length));
        frame.Initialize(kind, timestamp, flags, length);
        return frame;
    }

    internal void Return(MediaFrame frame)
    {
        int sizeClass = frame.SizeClass;
        if (sizeClass < 0)
        {
            return;
        }

        int bytes = frame.RetainedBytes;
        lock (_gate)
        {
            if (_free[sizeClass].Count < MaxFramesPerClass && _retainedBytes[sizeClass] + bytes <= MaxRetainedBytesPerClass)
            {
                _free[sizeClass].Push(frame);
                _retainedBytes[sizeClass] += bytes;
            }
        }
    }
}
