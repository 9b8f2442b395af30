using System.Buffers;
using System.Diagnostics;
using EdgeRtmp.Protocol.Chunking;

namespace EdgeRtmp.Media;

/// <summary>What a frame carries; the values are the RTMP message types that carry it.</summary>
public enum MediaKind : byte
{
    Audio = 8,
    Video = 9,
    /// <summary>AMF0 data such as <c>onMetaData</c>.</summary>
    Data = 18,
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
/// Consumers that chunk the frame for RTMP can ask for <see cref="GetChunkedBody"/>: the payload cut into
/// chunks with type-3 headers between them, built once and shared by every connection with the same
/// chunk size (see <see cref="ChunkWriter.WriteChunkedBody"/>).
/// </para>
/// </summary>
public sealed class MediaFrame
{
    private readonly MediaFramePool _pool;
    private byte[] _buffer = [];
    private int _length;
    private int _references;
    private readonly Lock _bodyGate = new();
    private byte[]? _body;
    private int _bodyLength;
    private long _bodyKey;

    internal MediaFrame(MediaFramePool pool) => _pool = pool;

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
                // The body buffer stays with the (pooled) frame, like the payload buffer.
                _bodyLength = ChunkWriter.ChunkedBodyLength(_length, chunkSize, chunkStreamId, timestamp);
                if (_body is null || _body.Length < _bodyLength)
                {
                    if (_body is not null)
                    {
                        ArrayPool<byte>.Shared.Return(_body);
                    }

                    _body = ArrayPool<byte>.Shared.Rent(_bodyLength);
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
        if (_buffer.Length < length)
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 512));
        }

        Kind = kind;
        Timestamp = timestamp;
        Flags = flags;
        _length = length;
        _references = 1;
    }

    internal Span<byte> WritableSpan => new(_buffer, 0, _length);

    internal int Capacity => _buffer.Length;

    internal void ReleaseBuffers(bool keepPayloadBuffer)
    {
        _bodyKey = 0;
        if (_body is not null && !(keepPayloadBuffer && _body.Length <= MediaFramePool.MaxRetainedBufferLength))
        {
            ArrayPool<byte>.Shared.Return(_body);
            _body = null;
        }

        if (!keepPayloadBuffer && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}

/// <summary>
/// Frames and their payload buffers, reused. Payload arrays come from <see cref="ArrayPool{T}.Shared"/>;
/// frames whose buffer grew past <see cref="MaxRetainedBufferLength"/> give it back when they return.
/// </summary>
public sealed class MediaFramePool
{
    public const int MaxRetainedBufferLength = 1024 * 1024;
    private readonly Lock _gate = new();
    private readonly Stack<MediaFrame> _free = new();
    private readonly int _maxFree;

    public MediaFramePool(int maxFree = 4096) => _maxFree = maxFree;

    public static MediaFramePool Shared { get; } = new();

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

    private MediaFrame Rent(MediaKind kind, uint timestamp, MediaFrameFlags flags, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        MediaFrame? frame = null;
        lock (_gate)
        {
            _free.TryPop(out frame);
        }

        frame ??= new MediaFrame(this);
        frame.Initialize(kind, timestamp, flags, length);
        return frame;
    }

    internal void Return(MediaFrame frame)
    {
        frame.ReleaseBuffers(keepPayloadBuffer: frame.Capacity <= MaxRetainedBufferLength);
        lock (_gate)
        {
            if (_free.Count < _maxFree)
            {
                _free.Push(frame);
                return;
            }
        }

        frame.ReleaseBuffers(keepPayloadBuffer: false);
    }
}
