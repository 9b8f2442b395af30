using System.Buffers;

namespace EdgeRtmp.Media.Flv;

/// <summary>FLV tag types (annex E.4.1); the same numbers as RTMP message types 8, 9 and 18.</summary>
public enum FlvTagType : byte
{
    Audio = 8,
    Video = 9,
    Script = 18,
}

/// <summary>
/// One FLV tag (annex E.4.1). The payload is a view of the reader's buffer: it is valid until the
/// next read from the same reader; copy it to keep it.
/// <code>
///  0                    1..3          4..6             7                  8..10
/// +---------------------+-------------+----------------+------------------+-------------+
/// | rsv(2) filter(1)    | DataSize    | Timestamp      | TimestampExtended| StreamID    |
/// | TagType(5)          | (UI24)      | (UI24, low 24) | (UI8, high 8)    | (UI24, = 0) |
/// +---------------------+-------------+----------------+------------------+-------------+
/// | Data (DataSize bytes) | PreviousTagSize (UI32) = 11 + DataSize |
/// </code>
/// </summary>
public readonly struct FlvTag
{
    public const int HeaderLength = 11;
    public const int PreviousTagSizeLength = 4;

    /// <summary>DataSize is a UI24.</summary>
    public const int MaxDataSize = 0xFFFFFF;

    public FlvTag(FlvTagType tagType, uint timestamp, ReadOnlySequence<byte> payload, int streamId = 0, long offset = 0)
    {
        TagType = tagType;
        Timestamp = timestamp;
        Payload = payload;
        StreamId = streamId;
        Offset = offset;
    }

    /// <summary>8 audio, 9 video, 18 script data; other values are passed through for the caller to skip, as FFmpeg does.</summary>
    public FlvTagType TagType { get; }

    /// <summary>Milliseconds: the 24-bit timestamp with TimestampExtended as its upper 8 bits.</summary>
    public uint Timestamp { get; }

    /// <summary>Always 0 in files written to the specification; reported as read.</summary>
    public int StreamId { get; }

    /// <summary>The tag body. Valid until the next read from the reader that returned it.</summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>Where the tag header starts in the file (or in the bytes the reader has consumed).</summary>
    public long Offset { get; }

    public int DataSize => (int)Payload.Length;

    /// <summary>The size of this tag on disk, including the PreviousTagSize that follows it.</summary>
    public int TotalLength => HeaderLength + DataSize + PreviousTagSizeLength;

    public FlvTag WithTimestamp(uint timestamp) => new(TagType, timestamp, Payload, StreamId, Offset);

    public override string ToString() => $"{TagType} ts={Timestamp} size={DataSize} @{Offset}";
}
