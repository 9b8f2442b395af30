namespace EdgeRtmp.Protocol.Messages;

/// <summary>
/// What every RTMP message carries besides its payload (§6.1.1): a 32-bit millisecond timestamp
/// that wraps, the payload length (24 bits on the wire), the type, and the message stream id.
/// </summary>
public readonly record struct MessageHeader(uint Timestamp, int Length, RtmpMessageType Type, uint MessageStreamId)
{
    /// <summary>Largest length a chunk header can express (24 bits).</summary>
    public const int MaxLength = 0xFFFFFF;
}

/// <summary>
/// One reassembled message. <see cref="Payload"/> belongs to the reader that produced it and stays
/// valid only until that reader's next call: copy what must outlive it.
/// </summary>
public readonly struct RtmpMessage
{
    public RtmpMessage(int chunkStreamId, MessageHeader header, ReadOnlyMemory<byte> payload)
    {
        ChunkStreamId = chunkStreamId;
        Header = header;
        Payload = payload;
    }

    public int ChunkStreamId { get; }
    public MessageHeader Header { get; }
    public ReadOnlyMemory<byte> Payload { get; }
    public RtmpMessageType Type => Header.Type;
    public uint Timestamp => Header.Timestamp;
    public uint MessageStreamId => Header.MessageStreamId;
}
