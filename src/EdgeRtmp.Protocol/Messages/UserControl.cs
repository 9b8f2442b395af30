using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Protocol.Chunking;

namespace EdgeRtmp.Protocol.Messages;

/// <summary>User control event types (§7.1.7).</summary>
public enum UserControlEventType : ushort
{
    StreamBegin = 0,
    StreamEof = 1,
    StreamDry = 2,
    SetBufferLength = 3,
    StreamIsRecorded = 4,
    PingRequest = 6,
    PingResponse = 7,
}

/// <summary>
/// A user control message (type 4): a 2-byte event type, then event data — a 4-byte stream id for the
/// stream events, stream id + 4-byte buffer length in milliseconds for SetBufferLength, a 4-byte
/// timestamp for the pings. Unknown event types (Flash's SWF verification 0x1A, buffer empty 0x1F…)
/// are read with their raw value so a session can ignore them.
/// </summary>
public readonly record struct UserControlEvent(UserControlEventType Type, uint StreamId, uint BufferLengthMs, uint Timestamp)
{
    public static UserControlEvent Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2)
        {
            RtmpProtocolException.Throw($"User control message has {payload.Length} bytes; it needs at least 2.");
        }

        var type = (UserControlEventType)BinaryPrimitives.ReadUInt16BigEndian(payload);
        ReadOnlySpan<byte> data = payload[2..];
        switch (type)
        {
            case UserControlEventType.SetBufferLength:
                RequireData(type, data, 8);
                return new UserControlEvent(type, BinaryPrimitives.ReadUInt32BigEndian(data), BinaryPrimitives.ReadUInt32BigEndian(data[4..]), 0);
            case UserControlEventType.PingRequest or UserControlEventType.PingResponse:
                RequireData(type, data, 4);
                return new UserControlEvent(type, 0, 0, BinaryPrimitives.ReadUInt32BigEndian(data));
            case UserControlEventType.StreamBegin or UserControlEventType.StreamEof or UserControlEventType.StreamDry or UserControlEventType.StreamIsRecorded:
                RequireData(type, data, 4);
                return new UserControlEvent(type, BinaryPrimitives.ReadUInt32BigEndian(data), 0, 0);
            default:
                return new UserControlEvent(type, 0, 0, 0);
        }
    }

    public void Write(ChunkWriter writer, IBufferWriter<byte> output, uint timestamp = 0)
    {
        Span<byte> payload = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)Type);
        int length;
        switch (Type)
        {
            case UserControlEventType.SetBufferLength:
                BinaryPrimitives.WriteUInt32BigEndian(payload[2..], StreamId);
                BinaryPrimitives.WriteUInt32BigEndian(payload[6..], BufferLengthMs);
                length = 10;
                break;
            case UserControlEventType.PingRequest or UserControlEventType.PingResponse:
                BinaryPrimitives.WriteUInt32BigEndian(payload[2..], Timestamp);
                length = 6;
                break;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(payload[2..], StreamId);
                length = 6;
                break;
        }

        writer.WriteMessage(output, ChunkStreamIds.ProtocolControl, new MessageHeader(timestamp, length, RtmpMessageType.UserControl, 0), payload[..length]);
    }

    public static UserControlEvent StreamBegin(uint streamId) => new(UserControlEventType.StreamBegin, streamId, 0, 0);
    public static UserControlEvent StreamEof(uint streamId) => new(UserControlEventType.StreamEof, streamId, 0, 0);
    public static UserControlEvent StreamDry(uint streamId) => new(UserControlEventType.StreamDry, streamId, 0, 0);
    public static UserControlEvent StreamIsRecorded(uint streamId) => new(UserControlEventType.StreamIsRecorded, streamId, 0, 0);
    public static UserControlEvent SetBufferLength(uint streamId, uint milliseconds) => new(UserControlEventType.SetBufferLength, streamId, milliseconds, 0);
    public static UserControlEvent PingRequest(uint timestamp) => new(UserControlEventType.PingRequest, 0, 0, timestamp);
    public static UserControlEvent PingResponse(uint timestamp) => new(UserControlEventType.PingResponse, 0, 0, timestamp);

    private static void RequireData(UserControlEventType type, ReadOnlySpan<byte> data, int length)
    {
        if (data.Length < length)
        {
            RtmpProtocolException.Throw($"User control event {type} has {data.Length} bytes of event data; it needs {length}.");
        }
    }
}
