using System.Buffers;
using System.Buffers.Binary;
using static EdgeRtmp.Protocol.BigEndian24;

namespace EdgeRtmp.Media.Flv;

/// <summary>
/// Parses an FLV byte stream (annex E): synchronous and I/O-free, in the Kestrel style. Feed it
/// whatever bytes are there, in any fragmentation; <c>TryRead…</c> returns false when it needs more
/// (see <see cref="BytesNeeded"/>) and throws <see cref="MediaFormatException"/> on a violation. A
/// tag is returned only once its trailing PreviousTagSize has arrived too, so the tag and its size
/// check are consumed together. Allocates nothing.
/// </summary>
public sealed class FlvReader
{
    /// <summary>Same cap as <c>RtmpLimits.MaxMessageLength</c>: a larger tag could not be sent over RTMP anyway.</summary>
    public const int DefaultMaxTagDataSize = 8 * 1024 * 1024;

    /// <summary>Bytes we are willing to skip between the 9-byte header and the body (DataOffset - 9).</summary>
    public const int MaxHeaderExtension = 4096;

    private const byte FilterBit = 0x20;
    private const byte TagTypeMask = 0x1F;
    private const int DataSizeOffset = 1;
    private const int TimestampOffset = 4;
    private const int TimestampExtendedOffset = 7;
    private const int StreamIdOffset = 8;

    public FlvReader(int maxTagDataSize = DefaultMaxTagDataSize, bool strictPreviousTagSize = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTagDataSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTagDataSize, FlvTag.MaxDataSize);
        MaxTagDataSize = maxTagDataSize;
        StrictPreviousTagSize = strictPreviousTagSize;
    }

    public int MaxTagDataSize { get; }

    /// <summary>
    /// True (the default): a PreviousTagSize that is not 11 + DataSize throws, because it means the
    /// file is corrupt or we lost alignment. False: such mismatches are only counted in
    /// <see cref="PreviousTagSizeMismatches"/> (some old muxers wrote DataSize alone).
    /// </summary>
    public bool StrictPreviousTagSize { get; }

    public long PreviousTagSizeMismatches { get; private set; }

    /// <summary>Bytes consumed so far: the file offset of the next tag.</summary>
    public long Position { get; private set; }

    /// <summary>After a <c>TryRead…</c> returned false: how many contiguous bytes it needs to make progress.</summary>
    public int BytesNeeded { get; private set; } = FlvHeader.Length;

    /// <summary>Starts over at file offset 0 (for rewinding a file).</summary>
    public void Reset()
    {
        Position = 0;
        BytesNeeded = FlvHeader.Length;
        PreviousTagSizeMismatches = 0;
    }

    /// <summary>
    /// Reads the file header and PreviousTagSize0 (and skips any header extension DataOffset announces).
    /// </summary>
    public bool TryReadHeader(ref ReadOnlySequence<byte> buffer, out FlvHeader header)
    {
        if (buffer.Length < FlvHeader.Length)
        {
            BytesNeeded = FlvHeader.Length;
            header = default;
            return false;
        }

        Span<byte> bytes = stackalloc byte[FlvHeader.Length];
        buffer.Slice(0, FlvHeader.Length).CopyTo(bytes);
        FlvHeader parsed = FlvHeader.Parse(bytes);
        if (parsed.DataOffset > FlvHeader.Length + MaxHeaderExtension)
        {
            MediaFormatException.Throw($"FLV header at offset 5: data offset is {parsed.DataOffset}, more than the {FlvHeader.Length + MaxHeaderExtension} we accept");
        }

        int total = (int)parsed.DataOffset + FlvTag.PreviousTagSizeLength;
        if (buffer.Length < total)
        {
            BytesNeeded = total;
            header = default;
            return false;
        }

        uint previousTagSize0 = ReadUInt32(buffer.Slice(parsed.DataOffset, FlvTag.PreviousTagSizeLength));
        if (previousTagSize0 != 0)
        {
            PreviousTagSizeMismatch(parsed.DataOffset, previousTagSize0, 0, "PreviousTagSize0");
        }

        buffer = buffer.Slice(total);
        Position += total;
        BytesNeeded = FlvTag.HeaderLength;
        header = parsed;
        return true;
    }

    /// <summary>
    /// Reads one tag and its trailing PreviousTagSize. On success <paramref name="tag"/>'s payload is a
    /// slice of <paramref name="buffer"/> and the tag is sliced off <paramref name="buffer"/>.
    /// </summary>
    public bool TryReadTag(ref ReadOnlySequence<byte> buffer, out FlvTag tag)
    {
        if (buffer.Length < FlvTag.HeaderLength)
        {
            BytesNeeded = FlvTag.HeaderLength;
            tag = default;
            return false;
        }

        Span<byte> scratch = stackalloc byte[FlvTag.HeaderLength];
        scoped ReadOnlySpan<byte> header;
        if (buffer.FirstSpan.Length >= FlvTag.HeaderLength)
        {
            header = buffer.FirstSpan[..FlvTag.HeaderLength];
        }
        else
        {
            buffer.Slice(0, FlvTag.HeaderLength).CopyTo(scratch);
            header = scratch;
        }

        byte flags = header[0];
        if ((flags & FilterBit) != 0)
        {
            MediaFormatException.Throw($"FLV tag at offset {Position}: the Filter bit is set (encrypted or filtered tag, annex F); we do not read encrypted FLV");
        }

        int dataSize = ReadUInt24(header[DataSizeOffset..]);
        if (dataSize > MaxTagDataSize)
        {
            MediaFormatException.Throw($"FLV tag at offset {Position}: data size {dataSize} is over the limit of {MaxTagDataSize} bytes");
        }

        int total = FlvTag.HeaderLength + dataSize + FlvTag.PreviousTagSizeLength;
        if (buffer.Length < total)
        {
            BytesNeeded = total;
            tag = default;
            return false;
        }

        // TimestampExtended is the upper 8 bits of a 32-bit millisecond timestamp (E.4.1).
        uint timestamp = (uint)ReadUInt24(header[TimestampOffset..]) | ((uint)header[TimestampExtendedOffset] << 24);
        int streamId = ReadUInt24(header[StreamIdOffset..]);
        uint previousTagSize = ReadUInt32(buffer.Slice(FlvTag.HeaderLength + dataSize, FlvTag.PreviousTagSizeLength));
        uint expected = (uint)(FlvTag.HeaderLength + dataSize);
        if (previousTagSize != expected)
        {
            PreviousTagSizeMismatch(Position + FlvTag.HeaderLength + dataSize, previousTagSize, expected, "PreviousTagSize");
        }

        tag = new FlvTag((FlvTagType)(flags & TagTypeMask), timestamp, buffer.Slice(FlvTag.HeaderLength, dataSize), streamId, Position);
        buffer = buffer.Slice(total);
        Position += total;
        BytesNeeded = FlvTag.HeaderLength;
        return true;
    }

    private void PreviousTagSizeMismatch(long offset, uint actual, uint expected, string field)
    {
        if (StrictPreviousTagSize)
        {
            MediaFormatException.Throw(expected == 0
                ? $"FLV at offset {offset}: {field} is {actual}, expected 0"
                : $"FLV at offset {offset}: {field} is {actual}, expected {expected} (11 + data size {expected - FlvTag.HeaderLength}) for the tag before it");
        }

        PreviousTagSizeMismatches++;
    }

    private static uint ReadUInt32(ReadOnlySequence<byte> source)
    {
        if (source.FirstSpan.Length >= 4)
        {
            return BinaryPrimitives.ReadUInt32BigEndian(source.FirstSpan);
        }

        Span<byte> bytes = stackalloc byte[4];
        source.CopyTo(bytes);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
