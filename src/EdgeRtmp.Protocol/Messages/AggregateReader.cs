using System.Buffers.Binary;

namespace EdgeRtmp.Protocol.Messages;

/// <summary>
/// Splits an aggregate message (type 22, §7.1.6) into its sub-messages. Its body is a run of
/// FLV-tag-like records:
/// <code>
/// +------+-----------+-----------------+---------+-----------+------+------------------+
/// | type | length(3) | timestamp(3)    | ts hi(1)| stream(3) | body | back pointer (4) |
/// +------+-----------+-----------------+---------+-----------+------+------------------+
/// </code>
/// Sub-message timestamps are rebased so the first one takes the aggregate's own timestamp.
/// Sub-messages take the aggregate's message stream id, as FFmpeg and nginx-rtmp do.
/// </summary>
public ref struct AggregateReader
{
    private const int RecordHeaderLength = 11;
    private const int BackPointerLength = 4;
    private readonly ReadOnlySpan<byte> _body;
    private readonly MessageHeader _aggregate;
    private int _position;
    private uint _firstTimestamp;
    private bool _started;

    public AggregateReader(MessageHeader aggregate, ReadOnlySpan<byte> body)
    {
        _aggregate = aggregate;
        _body = body;
    }

    /// <summary>Where the payload <see cref="TryReadNext"/> returned last starts in the aggregate's body.</summary>
    public readonly int PayloadOffset => _payloadOffset;

    private int _payloadOffset;

    public bool TryReadNext(out MessageHeader header, out ReadOnlySpan<byte> payload)
    {
        if (_position == _body.Length)
        {
            header = default;
            payload = default;
            return false;
        }

        ReadOnlySpan<byte> rest = _body[_position..];
        if (rest.Length < RecordHeaderLength)
        {
            RtmpProtocolException.Throw($"Aggregate message is cut off at byte {_position}: a sub-message header needs {RecordHeaderLength} bytes, {rest.Length} remain.");
        }

        var type = (RtmpMessageType)rest[0];
        int length = (rest[1] << 16) | (rest[2] << 8) | rest[3];
        uint timestamp = (uint)((rest[7] << 24) | (rest[4] << 16) | (rest[5] << 8) | rest[6]);
        if (rest.Length < RecordHeaderLength + length + BackPointerLength)
        {
            RtmpProtocolException.Throw($"Aggregate sub-message at byte {_position} claims {length} bytes; only {rest.Length - RecordHeaderLength} remain.");
        }

        if (type is not (RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.DataAmf0 or RtmpMessageType.DataAmf3))
        {
            RtmpProtocolException.Throw($"Aggregate sub-message at byte {_position} has type {(byte)type}; only audio, video and data may be aggregated.");
        }

        uint backPointer = BinaryPrimitives.ReadUInt32BigEndian(rest[(RecordHeaderLength + length)..]);
        if (backPointer != RecordHeaderLength + length)
        {
            RtmpProtocolException.Throw($"Aggregate sub-message at byte {_position} has back pointer {backPointer}; expected {RecordHeaderLength + length}.");
        }

        if (!_started)
        {
            _firstTimestamp = timestamp;
            _started = true;
        }

        header = new MessageHeader(unchecked(_aggregate.Timestamp + (timestamp - _firstTimestamp)), length, type, _aggregate.MessageStreamId);
        payload = rest.Slice(RecordHeaderLength, length);
        _payloadOffset = _position + RecordHeaderLength;
        _position += RecordHeaderLength + length + BackPointerLength;
        return true;
    }
}
