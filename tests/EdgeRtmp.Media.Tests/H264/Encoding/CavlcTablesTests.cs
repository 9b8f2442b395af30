using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Media.Tests.H264.Encoding;

/// <summary>The transcribed CAVLC tables: codes a decoder can tell apart, and spot checks against the standard's text.</summary>
public sealed class CavlcTablesTests
{
    /// <summary>Asserts that the (length, code) pairs with length &gt; 0 form a prefix-free code (Kraft sum ≤ 1 follows).</summary>
    private static void AssertPrefixFree(ReadOnlySpan<byte> lengths, ReadOnlySpan<byte> codes, string table)
    {
        var words = new List<string>();
        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] > 0)
                words.Add(Convert.ToString(codes[i], 2).PadLeft(lengths[i], '0'));
        }
        for (int i = 0; i < words.Count; i++)
        {
            for (int j = 0; j < words.Count; j++)
            {
                if (i != j)
                    Assert.False(words[j].StartsWith(words[i], StringComparison.Ordinal), $"{table}: '{words[i]}' is a prefix of '{words[j]}'");
            }
        }
        double kraft = words.Sum(word => Math.Pow(2, -word.Length));
        Assert.True(kraft <= 1.0 + 1e-12, $"{table}: Kraft sum {kraft}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Coeff_token_tables_are_prefix_free_with_one_code_per_valid_token(int table)
    {
        ReadOnlySpan<byte> lengths = CavlcTables.CoeffTokenLength.Slice(table * 68, 68);
        AssertPrefixFree(lengths, CavlcTables.CoeffTokenCode.Slice(table * 68, 68), $"coeff_token table {table}");
        for (int total = 0; total <= 16; total++)
        {
            for (int ones = 0; ones < 4; ones++)
                Assert.Equal(ones <= total, lengths[total * 4 + ones] > 0);
        }
    }

    [Fact]
    public void Chroma_dc_coeff_token_is_prefix_free()
    {
        AssertPrefixFree(CavlcTables.ChromaDcCoeffTokenLength, CavlcTables.ChromaDcCoeffTokenCode, "chroma DC coeff_token");
    }

    [Fact]
    public void Total_zeros_and_run_before_rows_are_prefix_free_and_complete()
    {
        for (int total = 1; total <= 15; total++)
        {
            ReadOnlySpan<byte> lengths = CavlcTables.TotalZerosLength.Slice((total - 1) * 16, 16);
            AssertPrefixFree(lengths, CavlcTables.TotalZerosCode.Slice((total - 1) * 16, 16), $"total_zeros TotalCoeff {total}");
            for (int zeros = 0; zeros <= 16 - total; zeros++)
                Assert.True(lengths[zeros] > 0, $"total_zeros {zeros} has no code for TotalCoeff {total}");
        }
        for (int total = 1; total <= 3; total++)
        {
            AssertPrefixFree(CavlcTables.ChromaDcTotalZerosLength.Slice((total - 1) * 4, 4), CavlcTables.ChromaDcTotalZerosCode.Slice((total - 1) * 4, 4), $"chroma DC total_zeros {total}");
        }
        for (int zerosLeft = 1; zerosLeft <= 7; zerosLeft++)
        {
            ReadOnlySpan<byte> lengths = CavlcTables.RunBeforeLength.Slice((zerosLeft - 1) * 16, 16);
            AssertPrefixFree(lengths, CavlcTables.RunBeforeCode.Slice((zerosLeft - 1) * 16, 16), $"run_before zerosLeft {zerosLeft}");
            int maxRun = zerosLeft == 7 ? 14 : zerosLeft;
            for (int run = 0; run <= maxRun; run++)
                Assert.True(lengths[run] > 0);
        }
    }

    [Theory] // Table 9-5 rows as printed in the standard: (table, TotalCoeff, TrailingOnes, code word)
    [InlineData(0, 0, 0, "1")]
    [InlineData(0, 1, 1, "01")]
    [InlineData(0, 2, 2, "001")]
    [InlineData(0, 16, 3, "0000000000001000")]
    [InlineData(1, 0, 0, "11")]
    [InlineData(1, 3, 3, "0101")]
    [InlineData(2, 0, 0, "1111")]
    [InlineData(2, 16, 0, "0000000001")]
    [InlineData(3, 0, 0, "000011")]
    [InlineData(3, 1, 0, "000000")]
    [InlineData(3, 16, 3, "111111")]
    public void Coeff_token_matches_the_standard(int table, int total, int ones, string expected)
    {
        int index = table * 68 + total * 4 + ones;
        string word = Convert.ToString(CavlcTables.CoeffTokenCode[index], 2).PadLeft(CavlcTables.CoeffTokenLength[index], '0');
        Assert.Equal(expected, word);
    }

    [Fact]
    public void Coded_block_pattern_mappings_are_permutations_and_match_table_9_4()
    {
        Assert.Equal(Enumerable.Range(0, 48), CavlcTables.IntraCodedBlockPatternByCodeNum.ToArray().Select(b => (int)b).Order());
        Assert.Equal(Enumerable.Range(0, 48), CavlcTables.InterCodedBlockPatternByCodeNum.ToArray().Select(b => (int)b).Order());
        Assert.Equal(3, CavlcTables.IntraCodeNumByCodedBlockPattern[0]);   // codeNum 3: cbp 0 for Intra_4x4
        Assert.Equal(0, CavlcTables.IntraCodeNumByCodedBlockPattern[47]);
        Assert.Equal(0, CavlcTables.InterCodeNumByCodedBlockPattern[0]);
        Assert.Equal(12, CavlcTables.InterCodeNumByCodedBlockPattern[47]);
    }

    [Fact]
    public void Zigzag_and_chroma_qp_match_the_standard()
    {
        Assert.Equal(new byte[] { 0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15 }, CavlcTables.ZigZag4x4.ToArray());
        Assert.Equal(29, CavlcTables.ChromaQp[30]);
        Assert.Equal(34, CavlcTables.ChromaQp[37]);
        Assert.Equal(39, CavlcTables.ChromaQp[51]);
        Assert.Equal(29, CavlcTables.ChromaQp[29]);
    }
}
