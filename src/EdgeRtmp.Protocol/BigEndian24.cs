namespace EdgeRtmp.Protocol;

/// <summary>
/// 24-bit big-endian integers, as RTMP chunk headers (timestamps, lengths) and FLV (tag sizes, timestamps, composition
/// times) carry them; <c>BinaryPrimitives</c> has no 24-bit form.
/// </summary>
public static class BigEndian24
{
    /// <summary>An unsigned 24-bit value, 0 to 0xFFFFFF.</summary>
    public static int ReadUInt24(ReadOnlySpan<byte> source) => (source[0] << 16) | (source[1] << 8) | source[2];

    /// <summary>A signed 24-bit value (SI24), −0x800000 to 0x7FFFFF.</summary>
    public static int ReadInt24(ReadOnlySpan<byte> source) => ((source[0] << 24) | (source[1] << 16) | (source[2] << 8)) >> 8;

    /// <summary>The low 24 bits of <paramref name="value"/>.</summary>
    public static void WriteUInt24(Span<byte> destination, uint value)
    {
        destination[2] = (byte)value;
        destination[1] = (byte)(value >> 8);
        destination[0] = (byte)(value >> 16);
    }

    /// <summary>A signed 24-bit value (SI24), two's complement.</summary>
    public static void WriteInt24(Span<byte> destination, int value) => WriteUInt24(destination, (uint)value);
}
