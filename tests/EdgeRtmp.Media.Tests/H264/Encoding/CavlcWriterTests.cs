using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Media.Tests.H264.Encoding;

/// <summary>
/// residual_block_cavlc() round trips through a reader written here from H.264 9.2 (table look-up by matching
/// code words), over every nC class, full blocks, and levels that need the escapes.
/// </summary>
public sealed class CavlcWriterTests
{
    public static TheoryData<int, int> Contexts => new()
    {
        { 0, 16 }, { 1, 16 }, { 2, 16 }, { 3, 15 }, { 4, 16 }, { 7, 15 }, { 8, 16 }, { 16, 16 }, { CavlcWriter.ChromaDcContext, 4 },
    };

    [Theory]
    [MemberData(nameof(Contexts))]
    public void Random_blocks_round_trip(int nC, int maxNumCoeff)
    {
        var random = new Random(nC * 31 + maxNumCoeff);
        for (int iteration = 0; iteration < 400; iteration++)
        {
            short[] levels = new short[maxNumCoeff];
            int density = random.Next(0, 101);
            for (int i = 0; i < maxNumCoeff; i++)
            {
                if (random.Next(100) < density)
                {
                    int magnitude = random.Next(10) switch { < 5 => 1, < 8 => random.Next(2, 20), 8 => random.Next(20, 300), _ => random.Next(300, CavlcWriter.MaxLevel + 1) };
                    levels[i] = (short)(random.Next(2) == 0 ? magnitude : -magnitude);
                }
            }
            AssertRoundTrip(levels, nC);
        }
    }

    [Theory]
    [MemberData(nameof(Contexts))]
    public void Every_coefficient_nonzero_with_the_largest_levels(int nC, int maxNumCoeff)
    {
        short[] levels = new short[maxNumCoeff];
        for (int i = 0; i < maxNumCoeff; i++)
            levels[i] = (short)(i % 2 == 0 ? CavlcWriter.MaxLevel : -CavlcWriter.MaxLevel);
        AssertRoundTrip(levels, nC);
        for (int i = 0; i < maxNumCoeff; i++)
            levels[i] = (short)(i % 3 == 0 ? -1 : 1);
        AssertRoundTrip(levels, nC);
    }

    [Theory] // levelCode boundaries of suffixLength 0 (14, 30: level_prefix 14 and 15) and of each later suffixLength
    [InlineData(new short[] { 7, 8, 15, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 })]
    [InlineData(new short[] { -8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new short[] { 1000, -999, 48, -47, 24, 23, 12, 11, 6, 5, 3, 4, 0, 0, 0, 0 })]
    [InlineData(new short[] { 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new short[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new short[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2047 })]
    public void Escape_boundaries_round_trip(short[] levels)
    {
        foreach (int nC in new[] { 0, 2, 4, 8 })
            AssertRoundTrip(levels, nC);
    }

    private static void AssertRoundTrip(short[] levels, int nC)
    {
        byte[] buffer = new byte[1024];
        var writer = new BitWriter(buffer);
        int total = CavlcWriter.WriteBlock(ref writer, levels, nC);
        writer.WriteTrailingBits();
        writer.Flush();
        Assert.Equal(levels.Count(level => level != 0), total);

        var reader = new BitReader(buffer.AsSpan(0, writer.Length));
        short[] decoded = ReadBlock(ref reader, nC, levels.Length);
        Assert.Equal(levels, decoded);
        Assert.Equal(1u, reader.ReadBits(1)); // the stop bit right after the block: nothing more, nothing less was written
    }

    /// <summary>residual_block_cavlc() read as 9.2 describes it.</summary>
    private static short[] ReadBlock(ref BitReader reader, int nC, int maxNumCoeff)
    {
        ReadOnlySpan<byte> tokenLengths, tokenCodes;
        if (nC == CavlcWriter.ChromaDcContext)
        {
            tokenLengths = CavlcTables.ChromaDcCoeffTokenLength;
            tokenCodes = CavlcTables.ChromaDcCoeffTokenCode;
        }
        else
        {
            int table = nC < 2 ? 0 : nC < 4 ? 1 : nC < 8 ? 2 : 3;
            tokenLengths = CavlcTables.CoeffTokenLength.Slice(table * 68, 68);
            tokenCodes = CavlcTables.CoeffTokenCode.Slice(table * 68, 68);
        }
        int token = ReadCode(ref reader, tokenLengths, tokenCodes);
        int total = token / 4, trailingOnes = token % 4;
        short[] coefficients = new short[maxNumCoeff];
        if (total == 0)
            return coefficients;

        int[] level = new int[total];
        int suffixLength = total > 10 && trailingOnes < 3 ? 1 : 0;
        for (int i = 0; i < total; i++)
        {
            if (i < trailingOnes)
            {
                level[i] = reader.ReadBits(1) == 1 ? -1 : 1;
                continue;
            }
            int prefix = 0;
            while (reader.ReadBits(1) == 0)
                prefix++;
            int levelCode = (Math.Min(15, prefix) << suffixLength);
            int suffixSize = prefix == 14 && suffixLength == 0 ? 4 : prefix >= 15 ? prefix - 3 : suffixLength;
            if (suffixSize > 0)
                levelCode += (int)reader.ReadBits(suffixSize);
            if (prefix >= 15 && suffixLength == 0)
                levelCode += 15;
            if (prefix >= 16)
                levelCode += (1 << (prefix - 3)) - 4096;
            if (i == trailingOnes && trailingOnes < 3)
                levelCode += 2;
            level[i] = levelCode % 2 == 0 ? (levelCode + 2) >> 1 : (-levelCode - 1) >> 1;
            if (suffixLength == 0)
                suffixLength = 1;
            if (Math.Abs(level[i]) > (3 << (suffixLength - 1)) && suffixLength < 6)
                suffixLength++;
        }
        int zerosLeft = 0;
        if (total < maxNumCoeff)
        {
            zerosLeft = nC == CavlcWriter.ChromaDcContext
                ? ReadCode(ref reader, CavlcTables.ChromaDcTotalZerosLength.Slice((total - 1) * 4, 4), CavlcTables.ChromaDcTotalZerosCode.Slice((total - 1) * 4, 4))
                : ReadCode(ref reader, CavlcTables.TotalZerosLength.Slice((total - 1) * 16, 16), CavlcTables.TotalZerosCode.Slice((total - 1) * 16, 16));
        }
        int[] run = new int[total];
        for (int i = 0; i < total - 1; i++)
        {
            if (zerosLeft > 0)
            {
                int row = (Math.Min(zerosLeft, 7) - 1) * 16;
                run[i] = ReadCode(ref reader, CavlcTables.RunBeforeLength.Slice(row, 16), CavlcTables.RunBeforeCode.Slice(row, 16));
            }
            zerosLeft -= run[i];
        }
        run[total - 1] = zerosLeft;
        int coefficientNumber = -1;
        for (int i = total - 1; i >= 0; i--)
        {
            coefficientNumber += run[i] + 1;
            coefficients[coefficientNumber] = (short)level[i];
        }
        return coefficients;
    }

    /// <summary>Reads bits until they equal one of the table's code words; returns its index.</summary>
    private static int ReadCode(ref BitReader reader, ReadOnlySpan<byte> lengths, ReadOnlySpan<byte> codes)
    {
        uint value = 0;
        for (int length = 1; length <= 16; length++)
        {
            value = (value << 1) | reader.ReadBits(1);
            for (int i = 0; i < lengths.Length; i++)
            {
                if (lengths[i] == length && codes[i] == value)
                    return i;
            }
        }
        throw new InvalidDataException("No code word matches.");
    }
}
