using System.Buffers;
using System.Buffers.Binary;
using static EdgeRtmp.Protocol.BigEndian24;

namespace EdgeRtmp.Media.Flv;

/// <summary>
/// Writes FLV (annex E) into an <see cref="IBufferWriter{T}"/>: streaming, no seeking, each tag
/// followed by its PreviousTagSize. Allocates nothing.
/// </summary>
public static class FlvWriter
{
    /// <summary>Writes the 9-byte header and PreviousTagSize0 (13 bytes), then <paramref name="onMetaData"/> as a script tag at time 0 if it is not empty.</summary>
    /// <param name="onMetaData">A complete script-data body (AMF0 "onMetaData" + ECMA array), as bytes.</param>
    public static void WriteHeader(IBufferWriter<byte> output, bool hasAudio, bool hasVideo, ReadOnlySpan<byte> onMetaData = default)
    {
        Span<byte> span = output.GetSpan(FlvHeader.LengthWithPreviousTagSize);
        new FlvHeader(hasAudio, hasVideo).Write(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[FlvHeader.Length..], 0);
        output.Advance(FlvHeader.LengthWithPreviousTagSize);
        if (!onMetaData.IsEmpty)
        {
            WriteTag(output, FlvTagType.Script, 0, onMetaData);
        }
    }

    public static void WriteTag(IBufferWriter<byte> output, FlvTagType tagType, uint timestamp, ReadOnlySpan<byte> payload)
    {
        WriteTagHeader(output, tagType, timestamp, payload.Length);
        output.Write(payload);
        WritePreviousTagSize(output, payload.Length);
    }

    public static void WriteTag(IBufferWriter<byte> output, FlvTagType tagType, uint timestamp, in ReadOnlySequence<byte> payload)
    {
        if (payload.Length > FlvTag.MaxDataSize)
        {
            ThrowTooLarge(payload.Length);
        }

        int length = (int)payload.Length;
        WriteTagHeader(output, tagType, timestamp, length);
        foreach (ReadOnlyMemory<byte> segment in payload)
        {
            output.Write(segment.Span);
        }

        WritePreviousTagSize(output, length);
    }

    /// <summary>Copies a tag as read (type, timestamp, payload); the stream id is written as 0.</summary>
    public static void WriteTag(IBufferWriter<byte> output, in FlvTag tag) => WriteTag(output, tag.TagType, tag.Timestamp, tag.Payload);

    private static void WriteTagHeader(IBufferWriter<byte> output, FlvTagType tagType, uint timestamp, int dataSize)
    {
        if (dataSize > FlvTag.MaxDataSize)
        {
            ThrowTooLarge(dataSize);
        }

        Span<byte> header = output.GetSpan(FlvTag.HeaderLength);
        header[0] = (byte)tagType;
        WriteUInt24(header[1..], (uint)dataSize);
        WriteUInt24(header[4..], timestamp & 0xFFFFFF);
        header[7] = (byte)(timestamp >> 24);
        WriteUInt24(header[8..], 0);
        output.Advance(FlvTag.HeaderLength);
    }

    private static void WritePreviousTagSize(IBufferWriter<byte> output, int dataSize)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(FlvTag.PreviousTagSizeLength), (uint)(FlvTag.HeaderLength + dataSize));
        output.Advance(FlvTag.PreviousTagSizeLength);
    }

    private static void ThrowTooLarge(long length) =>
        throw new ArgumentOutOfRangeException("payload", length, $"An FLV tag holds at most {FlvTag.MaxDataSize} bytes (DataSize is 24 bits)");
}
