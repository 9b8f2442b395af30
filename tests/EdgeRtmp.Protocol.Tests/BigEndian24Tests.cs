using EdgeRtmp.Protocol;

namespace EdgeRtmp.Protocol.Tests;

public class BigEndian24Tests
{
    [Theory]
    [InlineData(0, new byte[] { 0, 0, 0 })]
    [InlineData(0x123456, new byte[] { 0x12, 0x34, 0x56 })]
    [InlineData(0xFFFFFF, new byte[] { 0xFF, 0xFF, 0xFF })]
    public void Unsigned_values_round_trip_big_endian(int value, byte[] bytes)
    {
        byte[] written = new byte[3];
        BigEndian24.WriteUInt24(written, (uint)value);
        Assert.Equal(bytes, written);
        Assert.Equal(value, BigEndian24.ReadUInt24(bytes));
    }

    [Theory]
    [InlineData(0, new byte[] { 0, 0, 0 })]
    [InlineData(80, new byte[] { 0, 0, 0x50 })]
    [InlineData(-1, new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData(0x7FFFFF, new byte[] { 0x7F, 0xFF, 0xFF })]
    [InlineData(-0x800000, new byte[] { 0x80, 0, 0 })]
    public void Signed_values_round_trip_with_the_sign_extended(int value, byte[] bytes)
    {
        byte[] written = new byte[3];
        BigEndian24.WriteInt24(written, value);
        Assert.Equal(bytes, written);
        Assert.Equal(value, BigEndian24.ReadInt24(bytes));
    }

    [Fact]
    public void Writing_keeps_the_low_24_bits_and_touches_nothing_else()
    {
        byte[] buffer = [0xAA, 0, 0, 0, 0xBB];
        BigEndian24.WriteUInt24(buffer.AsSpan(1), 0x01ABCDEF);
        Assert.Equal([0xAA, 0xAB, 0xCD, 0xEF, 0xBB], buffer);
    }
}
