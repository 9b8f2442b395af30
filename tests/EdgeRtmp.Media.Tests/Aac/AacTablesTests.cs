using EdgeRtmp.Media.Aac;

namespace EdgeRtmp.Media.Tests.Aac;

public class AacTablesTests
{
    [Theory]
    [InlineData(1, 81)]
    [InlineData(2, 81)]
    [InlineData(3, 81)]
    [InlineData(4, 81)]
    [InlineData(5, 81)]
    [InlineData(6, 81)]
    [InlineData(7, 64)]
    [InlineData(8, 64)]
    [InlineData(9, 169)]
    [InlineData(10, 169)]
    [InlineData(11, 289)]
    public void Spectral_codebook_is_a_complete_prefix_code(int codebook, int entries)
    {
        ReadOnlySpan<ushort> codes = AacHuffmanTables.SpectralCodes(codebook);
        ReadOnlySpan<byte> lengths = AacHuffmanTables.SpectralLengths(codebook);
        Assert.Equal(entries, codes.Length);
        Assert.Equal(entries, lengths.Length);
        uint[] widened = new uint[codes.Length];
        for (int i = 0; i < codes.Length; i++)
            widened[i] = codes[i];
        AssertCompletePrefixCode(widened, lengths.ToArray());
    }

    [Fact]
    public void Scalefactor_codebook_is_a_complete_prefix_code_with_zero_as_one_bit()
    {
        Assert.Equal(121, AacHuffmanTables.ScalefactorCode.Length);
        Assert.Equal(1, AacHuffmanTables.ScalefactorLength[60]);
        Assert.Equal(0u, AacHuffmanTables.ScalefactorCode[60]);
        AssertCompletePrefixCode(AacHuffmanTables.ScalefactorCode.ToArray(), AacHuffmanTables.ScalefactorLength.ToArray());
    }

    private static void AssertCompletePrefixCode(uint[] codes, byte[] lengths)
    {
        // Kraft: a complete code sums to exactly 1 (in units of 2^-32).
        ulong kraft = 0;
        for (int i = 0; i < codes.Length; i++)
        {
            Assert.InRange(lengths[i], 1, 19);
            Assert.True(codes[i] < 1u << lengths[i], $"code {i} has more bits than its length {lengths[i]}");
            kraft += 1UL << (32 - lengths[i]);
        }
        Assert.Equal(1UL << 32, kraft);
        // Prefix-free: no code is the start of another.
        for (int i = 0; i < codes.Length; i++)
        {
            for (int j = 0; j < codes.Length; j++)
            {
                if (i == j || lengths[i] > lengths[j])
                    continue;
                uint prefix = codes[j] >> (lengths[j] - lengths[i]);
                Assert.False(prefix == codes[i], $"code {i} is a prefix of code {j}");
            }
        }
    }

    // ISO/IEC 14496-3 table 4.129 onwards: num_swb_long_window / num_swb_short_window per sampling frequency index.
    [Theory]
    [InlineData(96000, 41, 12)]
    [InlineData(88200, 41, 12)]
    [InlineData(64000, 47, 12)]
    [InlineData(48000, 49, 14)]
    [InlineData(44100, 49, 14)]
    [InlineData(32000, 51, 14)]
    [InlineData(24000, 47, 15)]
    [InlineData(22050, 47, 15)]
    [InlineData(16000, 43, 15)]
    [InlineData(12000, 43, 15)]
    [InlineData(11025, 43, 15)]
    [InlineData(8000, 40, 15)]
    [InlineData(7350, 40, 15)]
    public void Scalefactor_bands_cover_the_frame(int sampleRate, int longBands, int shortBands)
    {
        int index = AacSampleRates.IndexOf(sampleRate);
        Assert.True(index >= 0);
        ReadOnlySpan<byte> longWidths = AacSampleRates.LongBandWidths(index);
        ReadOnlySpan<byte> shortWidths = AacSampleRates.ShortBandWidths(index);
        Assert.Equal(longBands, longWidths.Length);
        Assert.Equal(shortBands, shortWidths.Length);
        int longSum = 0, shortSum = 0;
        foreach (byte width in longWidths)
        {
            Assert.Equal(0, width % 4);
            longSum += width;
        }
        foreach (byte width in shortWidths)
        {
            Assert.Equal(0, width % 4);
            shortSum += width;
        }
        Assert.Equal(1024, longSum);
        Assert.Equal(128, shortSum);
    }

    [Fact]
    public void Band_offsets_at_48kHz_match_the_standard_at_known_points()
    {
        // swb_offset_long_window for 44.1 and 48 kHz (table 4.131): 40 at band 10, 96 at 17, 144 at 21, 264 at 27,
        // 320 at 29, 928 at 48.
        ReadOnlySpan<byte> widths = AacSampleRates.LongBandWidths(AacSampleRates.IndexOf(48000));
        int[] offsets = new int[widths.Length + 1];
        for (int b = 0; b < widths.Length; b++)
            offsets[b + 1] = offsets[b] + widths[b];
        Assert.Equal(40, offsets[10]);
        Assert.Equal(96, offsets[17]);
        Assert.Equal(144, offsets[21]);
        Assert.Equal(264, offsets[27]);
        Assert.Equal(320, offsets[29]);
        Assert.Equal(928, offsets[48]);
    }
}
