using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Protocol.Chunking;

namespace EdgeRtmp.Protocol.Messages;

/// <summary>How a peer may limit our output bandwidth (§5.4.5).</summary>
public enum PeerBandwidthLimitType : byte
{
    Hard = 0,
    Soft = 1,
    Dynamic = 2,
}

/// <summary>
/// Protocol control messages, types 1–6 (§5.4, §6.2): always message stream 0, chunk stream 2.
/// Readers validate the payload; writers send a whole message through a <see cref="ChunkWriter"/>.
/// </summary>
public static class ProtocolControl
{
    //  0                   1                   2                   3
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |0|                     chunk size (31 bits)                    |   Set Chunk Size (§5.4.1)
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    public static int ReadSetChunkSize(ReadOnlySpan<byte> payload, RtmpLimits limits)
    {
        uint value = ReadUInt32(payload, "Set Chunk Size");
        if ((value & 0x80000000) != 0 || value == 0)
        {
            RtmpProtocolException.Throw($"Set Chunk Size of {value} is invalid: it must be 1 to 2^31-1.");
        }

        if (value > limits.MaxChunkSize)
        {
            RtmpProtocolException.Throw($"Set Chunk Size of {value} exceeds the limit of {limits.MaxChunkSize} bytes.");
        }

        return (int)value;
    }

    /// <summary>Reads the 4-byte big-endian value that Set Chunk Size, Abort, Acknowledgement and Window Acknowledgement Size carry.</summary>
    public static uint ReadUInt32(ReadOnlySpan<byte> payload, string messageName)
    {
        if (payload.Length < 4)
        {
            RtmpProtocolException.Throw($"{messageName} message has {payload.Length} bytes; it needs 4.");
        }

        return BinaryPrimitives.ReadUInt32BigEndian(payload);
    }

    // Set Peer Bandwidth (§5.4.5): acknowledgement window size (4) + limit type (1).
    public static (uint WindowSize, PeerBandwidthLimitType LimitType) ReadSetPeerBandwidth(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 5)
        {
            RtmpProtocolException.Throw($"Set Peer Bandwidth message has {payload.Length} bytes; it needs 5.");
        }

        byte limit = payload[4];
        if (limit > 2)
        {
            RtmpProtocolException.Throw($"Set Peer Bandwidth limit type {limit} is unknown (0 hard, 1 soft, 2 dynamic).");
        }

        return (BinaryPrimitives.ReadUInt32BigEndian(payload), (PeerBandwidthLimitType)limit);
    }

    /// <summary>Announces our new chunk size and switches <paramref name="writer"/> to it, in that order.</summary>
    public static void WriteSetChunkSize(ChunkWriter writer, IBufferWriter<byte> output, int chunkSize)
    {
        if (chunkSize is < 1 or > 0x7FFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "A chunk size is 1 to 2^31-1 bytes.");
        }

        WriteUInt32Message(writer, output, RtmpMessageType.SetChunkSize, (uint)chunkSize);
        writer.ChunkSize = chunkSize;
    }

    public static void WriteAbort(ChunkWriter writer, IBufferWriter<byte> output, int chunkStreamId) =>
        WriteUInt32Message(writer, output, RtmpMessageType.Abort, (uint)chunkStreamId);

    public static void WriteAcknowledgement(ChunkWriter writer, IBufferWriter<byte> output, uint sequenceNumber) =>
        WriteUInt32Message(writer, output, RtmpMessageType.Acknowledgement, sequenceNumber);

    public static void WriteWindowAcknowledgementSize(ChunkWriter writer, IBufferWriter<byte> output, uint windowSize) =>
        WriteUInt32Message(writer, output, RtmpMessageType.WindowAcknowledgementSize, windowSize);

    public static void WriteSetPeerBandwidth(ChunkWriter writer, IBufferWriter<byte> output, uint windowSize, PeerBandwidthLimitType limitType)
    {
        Span<byte> payload = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(payload, windowSize);
        payload[4] = (byte)limitType;
        writer.WriteMessage(output, ChunkStreamIds.ProtocolControl, new MessageHeader(0, 5, RtmpMessageType.SetPeerBandwidth, 0), payload);
    }

    private static void WriteUInt32Message(ChunkWriter writer, IBufferWriter<byte> output, RtmpMessageType type, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        writer.WriteMessage(output, ChunkStreamIds.ProtocolControl, new MessageHeader(0, 4, type, 0), payload);
    }
}
