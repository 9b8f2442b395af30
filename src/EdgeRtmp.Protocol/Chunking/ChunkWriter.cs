using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Protocol.Messages;
using static EdgeRtmp.Protocol.BigEndian24;

namespace EdgeRtmp.Protocol.Chunking;

/// <summary>
/// Splits outgoing messages into chunks (RTMP 1.0 §5.3), choosing the smallest header the peer can
/// decode unambiguously. The per-connection part — the first chunk's header — is separate from the
/// chunked body (payload pieces joined by type-3 headers), so a body can be built once and shared by
/// every connection with the same chunk size (<see cref="WriteChunkedBody"/>).
/// <para>
/// Header choice: type 0 for the first message on a chunk stream, a new message stream, a timestamp
/// that went backwards, or a timestamp of 0xFFFFFF or more. The last rule costs 7 bytes per message
/// after 4.6 hours of stream time, and buys one thing: the extended timestamp that type-3
/// continuation headers repeat is then the absolute timestamp, the same for every connection, so
/// shared bodies stay shareable. Otherwise type 1 (new length or type), type 2 (new delta), or type 3
/// (same delta as the previous type-1/2 header; a type 3 after a type 0 means "add the timestamp
/// again", which peers read differently).
/// </para>
/// </summary>
public sealed class ChunkWriter
{
    private const uint ExtendedTimestampMarker = 0xFFFFFF;
    private readonly ChunkStreamTable<OutgoingState> _streams = new(16);
    private int _chunkSize = ChunkReader.DefaultChunkSize;

    /// <summary>
    /// Our outgoing chunk size. Change it only right after writing the Set Chunk Size message that
    /// announces it (<see cref="ProtocolControl.WriteSetChunkSize"/> does both).
    /// </summary>
    public int ChunkSize
    {
        get => _chunkSize;
        set
        {
            if (value is < 1 or > 0x7FFFFFFF)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A chunk size is 1 to 2^31-1 bytes.");
            }

            _chunkSize = value;
        }
    }

    /// <summary>Writes one whole message: the first header, then the chunked body.</summary>
    public void WriteMessage(IBufferWriter<byte> output, int chunkStreamId, in MessageHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length != header.Length)
        {
            throw new ArgumentException($"The header says {header.Length} bytes but the payload has {payload.Length}.", nameof(payload));
        }

        int bodyLength = ChunkedBodyLength(payload.Length, _chunkSize, chunkStreamId, header.Timestamp);
        Span<byte> destination = output.GetSpan(ChunkReader.MaxChunkHeaderLength + bodyLength);
        int written = WriteFirstHeader(destination, chunkStreamId, header);
        WriteChunkedBody(destination.Slice(written, bodyLength), payload, _chunkSize, chunkStreamId, header.Timestamp);
        output.Advance(written + bodyLength);
    }

    /// <summary>
    /// Writes the header of a message's first chunk (at most <see cref="ChunkReader.MaxChunkHeaderLength"/>
    /// bytes) and remembers it for the next header choice on that chunk stream. Returns the bytes written.
    /// </summary>
    public int WriteFirstHeader(Span<byte> destination, int chunkStreamId, in MessageHeader header)
    {
        if ((uint)header.Length > MessageHeader.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(header), header.Length, "A message is at most 16 MiB - 1 bytes.");
        }

        OutgoingState? state = _streams.Find(chunkStreamId);
        if (state is null)
        {
            state = new OutgoingState();
            _streams.Add(chunkStreamId, state);
        }

        int format;
        uint delta = unchecked(header.Timestamp - state.Timestamp);
        if (!state.HasHeader || header.MessageStreamId != state.MessageStreamId
            || header.Timestamp >= ExtendedTimestampMarker || header.Timestamp < state.Timestamp)
        {
            format = 0;
        }
        else if (header.Length != state.Length || header.Type != state.Type)
        {
            format = 1;
        }
        else if (delta != state.TimestampDelta || !state.DeltaIsExplicit)
        {
            format = 2;
        }
        else
        {
            format = 3;
        }

        int position = WriteBasicHeader(destination, format, chunkStreamId);
        switch (format)
        {
            case 0:
                WriteUInt24(destination[position..], Math.Min(header.Timestamp, ExtendedTimestampMarker));
                WriteUInt24(destination[(position + 3)..], (uint)header.Length);
                destination[position + 6] = (byte)header.Type;
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(position + 7)..], header.MessageStreamId);
                position += 11;
                if (header.Timestamp >= ExtendedTimestampMarker)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(destination[position..], header.Timestamp);
                    position += 4;
                }

                break;
            case 1:
                WriteUInt24(destination[position..], delta);
                WriteUInt24(destination[(position + 3)..], (uint)header.Length);
                destination[position + 6] = (byte)header.Type;
                position += 7;
                break;
            case 2:
                WriteUInt24(destination[position..], delta);
                position += 3;
                break;
        }

        state.HasHeader = true;
        state.DeltaIsExplicit = format != 0;
        state.TimestampDelta = format == 0 ? header.Timestamp : delta;
        state.Timestamp = header.Timestamp;
        state.Length = header.Length;
        state.Type = header.Type;
        state.MessageStreamId = header.MessageStreamId;
        return position;
    }

    /// <summary>Forgets every chunk stream's previous header: the next message on each starts with type 0.</summary>
    public void Reset() => _streams.ForEach(static s => s.HasHeader = false);

    /// <summary>Bytes <see cref="WriteChunkedBody"/> writes for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static int ChunkedBodyLength(int payloadLength, int chunkSize, int chunkStreamId, uint timestamp)
    {
        int continuations = payloadLength == 0 ? 0 : (payloadLength - 1) / chunkSize;
        return payloadLength + continuations * ContinuationHeaderLength(chunkStreamId, timestamp);
    }

    /// <summary>
    /// Writes the payload cut into chunks of <paramref name="chunkSize"/>, each piece after the first
    /// preceded by a type-3 header (with the extended timestamp when the message has one, §5.3.1.3).
    /// Depends only on its arguments, so one body serves every connection with that chunk size.
    /// </summary>
    public static void WriteChunkedBody(Span<byte> destination, ReadOnlySpan<byte> payload, int chunkSize, int chunkStreamId, uint timestamp)
    {
        int first = Math.Min(chunkSize, payload.Length);
        payload[..first].CopyTo(destination);
        int source = first;
        int position = first;
        if (source == payload.Length)
        {
            return;
        }

        Span<byte> continuation = stackalloc byte[7];
        int continuationLength = WriteBasicHeader(continuation, 3, chunkStreamId);
        if (timestamp >= ExtendedTimestampMarker)
        {
            BinaryPrimitives.WriteUInt32BigEndian(continuation[continuationLength..], timestamp);
            continuationLength += 4;
        }

        continuation = continuation[..continuationLength];
        while (source < payload.Length)
        {
            continuation.CopyTo(destination[position..]);
            position += continuationLength;
            int piece = Math.Min(chunkSize, payload.Length - source);
            payload.Slice(source, piece).CopyTo(destination[position..]);
            position += piece;
            source += piece;
        }
    }

    private static int ContinuationHeaderLength(int chunkStreamId, uint timestamp) =>
        BasicHeaderLength(chunkStreamId) + (timestamp >= ExtendedTimestampMarker ? 4 : 0);

    private static int BasicHeaderLength(int chunkStreamId) => chunkStreamId switch
    {
        < 64 => 1,
        < 320 => 2,
        _ => 3,
    };

    private static int WriteBasicHeader(Span<byte> destination, int format, int chunkStreamId)
    {
        if (chunkStreamId is < 2 or > 65599)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkStreamId), chunkStreamId, "Chunk stream ids are 2 to 65599.");
        }

        int formatBits = format << 6;
        if (chunkStreamId < 64)
        {
            destination[0] = (byte)(formatBits | chunkStreamId);
            return 1;
        }

        int rest = chunkStreamId - 64;
        if (rest < 256)
        {
            destination[0] = (byte)formatBits;
            destination[1] = (byte)rest;
            return 2;
        }

        destination[0] = (byte)(formatBits | 1);
        destination[1] = (byte)rest;
        destination[2] = (byte)(rest >> 8);
        return 3;
    }

    private sealed class OutgoingState
    {
        public bool HasHeader;
        public bool DeltaIsExplicit;
        public uint Timestamp;
        public uint TimestampDelta;
        public int Length;
        public RtmpMessageType Type;
        public uint MessageStreamId;
    }
}
