using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>residual_block_cavlc() of H.264 7.3.5.3.2, written from coefficient levels in scan order (9.2).</summary>
internal static class CavlcWriter
{
    /// <summary>Largest |level| we produce: every level then codes within level_prefix ≤ 15, as Baseline requires (9.2.2.1).</summary>
    public const int MaxLevel = 2047;

    /// <summary>nC value that selects the 4:2:0 chroma DC coeff_token table.</summary>
    public const int ChromaDcContext = -1;

    /// <summary>
    /// Writes one block: <paramref name="levels"/> holds coefficient levels in scan order, its length is maxNumCoeff
    /// (16, 15 or 4 for chroma DC with <paramref name="nC"/> = −1). Returns TotalCoeff(coeff_token).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int WriteBlock(ref BitWriter bits, ReadOnlySpan<short> levels, int nC)
    {
        int maxNumCoeff = levels.Length;
        // Nonzero levels from the highest frequency down, with the zeros that precede each in scan order.
        Span<int> level = stackalloc int[16];
        Span<int> runBefore = stackalloc int[16];
        int total = 0;
        for (int i = maxNumCoeff - 1; i >= 0; i--)
        {
            int value = levels[i];
            if (value != 0)
            {
                level[total] = value;
                runBefore[total] = 0;
                total++;
            }
            else if (total > 0)
            {
                runBefore[total - 1]++;
            }
        }

        int trailingOnes = 0;
        while (trailingOnes < total && trailingOnes < 3 && (level[trailingOnes] == 1 || level[trailingOnes] == -1))
            trailingOnes++;

        int token = total * 4 + trailingOnes;
        if (nC == ChromaDcContext)
        {
            bits.WriteBits(CavlcTables.ChromaDcCoeffTokenCode[token], CavlcTables.ChromaDcCoeffTokenLength[token]);
        }
        else
        {
            int table = nC < 2 ? 0 : nC < 4 ? 1 : nC < 8 ? 2 : 3;
            int index = table * 68 + token;
            bits.WriteBits(CavlcTables.CoeffTokenCode[index], CavlcTables.CoeffTokenLength[index]);
        }
        if (total == 0)
            return 0;

        for (int i = 0; i < trailingOnes; i++)
            bits.WriteBits(level[i] < 0 ? 1u : 0u, 1); // trailing_ones_sign_flag

        int suffixLength = total > 10 && trailingOnes < 3 ? 1 : 0;
        for (int i = trailingOnes; i < total; i++)
        {
            int value = level[i];
            int levelCode = value > 0 ? 2 * value - 2 : -2 * value - 1;
            if (i == trailingOnes && trailingOnes < 3)
                levelCode -= 2; // the first level after fewer than 3 trailing ones cannot be ±1
            WriteLevel(ref bits, levelCode, suffixLength);
            if (suffixLength == 0)
                suffixLength = 1;
            if (Math.Abs(value) > (3 << (suffixLength - 1)) && suffixLength < 6)
                suffixLength++;
        }

        int totalZeros = 0;
        for (int i = 0; i < total; i++)
            totalZeros += runBefore[i];
        if (total < maxNumCoeff)
        {
            if (nC == ChromaDcContext)
            {
                int index = (total - 1) * 4 + totalZeros;
                bits.WriteBits(CavlcTables.ChromaDcTotalZerosCode[index], CavlcTables.ChromaDcTotalZerosLength[index]);
            }
            else
            {
                int index = (total - 1) * 16 + totalZeros;
                bits.WriteBits(CavlcTables.TotalZerosCode[index], CavlcTables.TotalZerosLength[index]);
            }
        }

        int zerosLeft = totalZeros;
        for (int i = 0; i < total - 1 && zerosLeft > 0; i++)
        {
            int run = runBefore[i];
            int index = (Math.Min(zerosLeft, 7) - 1) * 16 + run;
            bits.WriteBits(CavlcTables.RunBeforeCode[index], CavlcTables.RunBeforeLength[index]);
            zerosLeft -= run;
        }
        return total;
    }

    /// <summary>level_prefix and level_suffix for one levelCode (9.2.2.1), escapes included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteLevel(ref BitWriter bits, int levelCode, int suffixLength)
    {
        if (suffixLength == 0)
        {
            if (levelCode < 14)
            {
                bits.WriteBits(1, levelCode + 1);
            }
            else if (levelCode < 30)
            {
                bits.WriteBits(1, 15);                      // level_prefix 14
                bits.WriteBits((uint)(levelCode - 14), 4);
            }
            else
            {
                bits.WriteBits(1, 16);                      // level_prefix 15
                bits.WriteBits((uint)(levelCode - 30), 12);
            }
            return;
        }
        int prefix = levelCode >> suffixLength;
        if (prefix < 15)
        {
            bits.WriteBits(1, prefix + 1);
            bits.WriteBits((uint)(levelCode & ((1 << suffixLength) - 1)), suffixLength);
        }
        else
        {
            bits.WriteBits(1, 16);
            bits.WriteBits((uint)(levelCode - (15 << suffixLength)), 12);
        }
    }
}
