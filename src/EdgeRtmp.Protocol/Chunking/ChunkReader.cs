using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Protocol.Messages;
using static EdgeRtmp.Protocol.BigEndian24;

namespace EdgeRtmp.Protocol.Chunking;

/// <summary>
/// Reassembles RTMP messages from the incoming chunk stream (RTMP 1.0 §5.3). Synchronous and
/// I/O-free: feed it whatever bytes have arrived, in any fragmentation; it consumes whole chunk
/// headers and as much chunk payload as is there, so the caller never has to buffer a whole chunk.
/// It applies Set Chunk Size, Abort and Window Acknowledgement Size itself (they change how the
/// stream is read or acknowledged) and still returns them to the caller.
/// Steady state allocates nothing: each chunk stream keeps one pooled assembly buffer, grown as payload arrives.
/// </summary>
public sealed class ChunkReader : IDisposable
{
    /// <summary>Basic header (up to 3) + type-0 message header (11) + extended timestamp (4).</summary>
    public const int MaxChunkHeaderLength = 18;

    public const int DefaultChunkSize = 128;

    private const int ExtendedTimestampMarker = 0xFFFFFF;

    private readonly RtmpLimits _limits;
    private readonly ChunkStreamTable<ChunkStreamState> _streams;
    private ChunkStreamState? _current;
    private int _currentChunkRemaining;
    private long _bytesAcknowledged;

    public ChunkReader(RtmpLimits? limits = null)
    {
        _limits = limits ?? RtmpLimits.Default;
        _streams = new ChunkStreamTable<ChunkStreamState>(_limits.MaxChunkStreams);
    }

    /// <summary>The peer's chunk size: 128 until it sends Set Chunk Size.</summary>
    public int ChunkSize { get; private set; } = DefaultChunkSize;

    /// <summary>Every byte consumed so far (headers and payload).</summary>
    public long BytesReceived { get; private set; }

    /// <summary>The window the peer asked us to acknowledge (its Window Acknowledgement Size); 0 = none.</summary>
    public uint AcknowledgementWindow { get; private set; }

    /// <summary>
    /// Reads the next complete message. Returns false when <paramref name="buffer"/> holds no complete
    /// message yet; everything consumed is sliced off <paramref name="buffer"/> either way.
    /// </summary>
    public bool TryReadMessage(ref ReadOnlySequence<byte> buffer, out RtmpMessage message)
    {
        while (true)
        {
            if (_current is null && !TryReadChunkHeader(ref buffer))
            {
                message = default;
                return false;
            }

            ChunkStreamState state = _current!;
            if (_currentChunkRemaining > 0)
            {
                int take = (int)Math.Min(_currentChunkRemaining, buffer.Length);
                if (take == 0)
                {
                    message = default;
                    return false;
                }

                ReadOnlySequence<byte> part = buffer.Slice(0, take);
                state.EnsureCapacity(state.Received + take);
                part.CopyTo(state.Buffer.AsSpan(state.Received));
                buffer = buffer.Slice(part.End);
                state.Received += take;
                _currentChunkRemaining -= take;
                BytesReceived += take;
                if (_currentChunkRemaining > 0)
                {
                    message = default;
                    return false;
                }
            }

            _current = null;
            if (state.Received < state.Length)
            {
                continue;
            }

            var header = new MessageHeader(state.Timestamp, state.Length, state.Type, state.MessageStreamId);
            message = new RtmpMessage(state.ChunkStreamId, header, new ReadOnlyMemory<byte>(state.Buffer, 0, state.Length));
            state.Received = 0;
            ApplyProtocolControl(in message);
            return true;
        }
    }

    /// <summary>
    /// True when the peer's acknowledgement window has been filled since the last acknowledgement;
    /// the caller then sends an Acknowledgement carrying <paramref name="sequenceNumber"/> (§5.4.3).
    /// </summary>
    public bool TryGetAcknowledgement(out uint sequenceNumber)
    {
        if (AcknowledgementWindow == 0 || BytesReceived - _bytesAcknowledged < AcknowledgementWindow)
        {
            sequenceNumber = 0;
            return false;
        }

        _bytesAcknowledged = BytesReceived;
        sequenceNumber = unchecked((uint)BytesReceived);
        return true;
    }

    public void Dispose()
    {
        _streams.ForEach(static s => s.Release());
        _streams.Clear();
    }

    //  0 1 2 3 4 5 6 7
    // +-+-+-+-+-+-+-+-+          basic header (§5.3.1.1): fmt in the top two bits; csid 2..63 in
    // |fmt|   cs id   |          the low six; 0 = one more byte (csid 64..319), 1 = two more bytes
    // +-+-+-+-+-+-+-+-+          little-endian (csid 64..65599).
    //
    // message header (§5.3.1.2), by fmt:
    //  0: timestamp(3) message length(3) type id(1) message stream id(4, little-endian)
    //  1: timestamp delta(3) message length(3) type id(1)
    //  2: timestamp delta(3)
    //  3: nothing
    // then the extended timestamp (4) when the 3-byte field is 0xFFFFFF — for fmt 3, when the
    // previous header of this chunk stream had one (§5.3.1.3).
    private bool TryReadChunkHeader(ref ReadOnlySequence<byte> buffer)
    {
        scoped ReadOnlySpan<byte> span = buffer.FirstSpan;
        Span<byte> gathered = stackalloc byte[MaxChunkHeaderLength];
        if (span.Length < MaxChunkHeaderLength && buffer.Length > span.Length)
        {
            int length = (int)Math.Min(buffer.Length, MaxChunkHeaderLength);
            buffer.Slice(0, length).CopyTo(gathered);
            span = gathered[..length];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        int format = span[0] >> 6;
        int chunkStreamId = span[0] & 0x3F;
        int position = 1;
        if (chunkStreamId == 0)
        {
            if (span.Length < 2) return false;
            chunkStreamId = span[1] + 64;
            position = 2;
        }
        else if (chunkStreamId == 1)
        {
            if (span.Length < 3) return false;
            chunkStreamId = span[1] + (span[2] << 8) + 64;
            position = 3;
        }

        int messageHeaderLength = format switch { 0 => 11, 1 => 7, 2 => 3, _ => 0 };
        if (span.Length < position + messageHeaderLength)
        {
            return false;
        }

        ReadOnlySpan<byte> fields = span.Slice(position, messageHeaderLength);
        position += messageHeaderLength;

        ChunkStreamState? state = _streams.Find(chunkStreamId);
        if (format != 0 && (state is null || !state.HasHeader))
        {
            ThrowNoPreviousHeader(chunkStreamId, format);
        }

        bool extended = format == 3 ? state!.HasExtendedTimestamp : ReadUInt24(fields) == ExtendedTimestampMarker;
        uint timestampField = format == 3 ? 0 : (uint)ReadUInt24(fields);
        if (extended)
        {
            if (span.Length < position + 4) return false;
            timestampField = BinaryPrimitives.ReadUInt32BigEndian(span.Slice(position, 4));
            position += 4;
        }

        // The whole header is here: from this point on, commit.
        if (state is null)
        {
            if (_streams.Count >= _limits.MaxChunkStreams)
            {
                RtmpProtocolException.Throw($"The peer opened more than {_limits.MaxChunkStreams} chunk streams (chunk stream {chunkStreamId}).");
            }

            state = new ChunkStreamState(chunkStreamId);
            _streams.Add(chunkStreamId, state);
        }

        bool continuation = format == 3 && state.Received > 0;
        if (!continuation)
        {
            if (state.Received > 0)
            {
                RtmpProtocolException.Throw(
                    $"Chunk stream {chunkStreamId} began a new message (header type {format}) before the previous one was complete ({state.Received} of {state.Length} bytes).");
            }

            switch (format)
            {
                case 0:
                    state.Timestamp = timestampField;
                    state.TimestampDelta = timestampField;
                    state.Length = ReadUInt24(fields[3..]);
                    state.Type = (RtmpMessageType)fields[6];
                    state.MessageStreamId = BinaryPrimitives.ReadUInt32LittleEndian(fields[7..]);
                    break;
                case 1:
                    state.TimestampDelta = timestampField;
                    state.Timestamp = unchecked(state.Timestamp + timestampField);
                    state.Length = ReadUInt24(fields[3..]);
                    state.Type = (RtmpMessageType)fields[6];
                    break;
                case 2:
                    state.TimestampDelta = timestampField;
                    state.Timestamp = unchecked(state.Timestamp + timestampField);
                    break;
                default:
                    // A type-3 header that starts a message repeats the previous delta (§5.3.1.2.4).
                    state.Timestamp = unchecked(state.Timestamp + state.TimestampDelta);
                    break;
            }

            if (format != 3)
            {
                state.HasExtendedTimestamp = extended;
            }

            state.HasHeader = true;
            if (state.Length > _limits.MaxMessageLength)
            {
                RtmpProtocolException.Throw(
                    $"Message of {state.Length} bytes on chunk stream {chunkStreamId} exceeds the limit of {_limits.MaxMessageLength} bytes.");
            }

        }

        buffer = buffer.Slice(position);
        BytesReceived += position;
        _current = state;
        _currentChunkRemaining = Math.Min(ChunkSize, state.Length - state.Received);
        return true;
    }

    private void ApplyProtocolControl(in RtmpMessage message)
    {
        // The spec sends these on message stream 0; like FFmpeg and nginx-rtmp we honour them on any stream.
        switch (message.Type)
        {
            case RtmpMessageType.SetChunkSize:
                ChunkSize = ProtocolControl.ReadSetChunkSize(message.Payload.Span, _limits);
                break;
            case RtmpMessageType.Abort:
                int abortedStream = (int)ProtocolControl.ReadUInt32(message.Payload.Span, "Abort");
                if (_streams.Find(abortedStream) is { } aborted)
                {
                    aborted.Received = 0;
                }

                break;
            case RtmpMessageType.WindowAcknowledgementSize:
                AcknowledgementWindow = ProtocolControl.ReadUInt32(message.Payload.Span, "Window Acknowledgement Size");
                break;
        }
    }

    private static void ThrowNoPreviousHeader(int chunkStreamId, int format) =>
        RtmpProtocolException.Throw($"Chunk stream {chunkStreamId} starts with a type-{format} header, which needs a previous type-0 header on that chunk stream.");

    private sealed class ChunkStreamState(int chunkStreamId)
    {
        public int ChunkStreamId { get; } = chunkStreamId;
        public bool HasHeader;
        public bool HasExtendedTimestamp;
        public uint Timestamp;
        public uint TimestampDelta;
        public int Length;
        public RtmpMessageType Type;
        public uint MessageStreamId;
        public int Received;
        public byte[] Buffer = [];

        /// <summary>
        /// Grows the assembly buffer to hold <paramref name="needed"/> bytes as they arrive, doubling up to the declared
        /// length. Never sized by the header alone: a peer that announces 64 messages of 8 MiB and sends nothing more
        /// must not make us hold 512 MiB (found by the hostile-client tests). Once a stream has carried a message of a
        /// size, its buffer stays, so steady state still allocates nothing.
        /// </summary>
        public void EnsureCapacity(int needed)
        {
            if (Buffer.Length >= needed)
            {
                return;
            }

            int size = Math.Min(Length, Math.Max(needed, Math.Max(256, Buffer.Length * 2)));
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(size, needed));
            Buffer.AsSpan(0, Received).CopyTo(bigger);
            Release();
            Buffer = bigger;
        }

        public void Release()
        {
            if (Buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
                Buffer = [];
            }
        }
    }
}
