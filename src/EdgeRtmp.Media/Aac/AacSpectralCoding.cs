using System.Numerics;
using System.Runtime.CompilerServices;
using EdgeRtmp.Media.H264;

namespace EdgeRtmp.Media.Aac;

/// <summary>
/// Huffman coding of quantised spectral lines (ISO/IEC 14496-3 4.6.3.3): which codebook can carry a band, what it
/// costs in bits, and writing it. Codebooks 1–4 take 4-tuples, 5–11 pairs; 1, 2, 5 and 6 carry the sign in the
/// codeword, the others send one sign bit per non-zero line after it; 11 escapes magnitudes of 16 and more.
/// </summary>
internal static class AacSpectralCoding
{
    public const int ZeroCodebook = 0;
    public const int EscapeCodebook = 11;
    public const int MaxQuantizedValue = 8191;

    /// <summary>Largest absolute value (LAV) per codebook 0..11.</summary>
    private static ReadOnlySpan<byte> LargestValue => [0, 1, 1, 2, 2, 4, 4, 7, 7, 12, 12, 16];

    public static int LargestAbsoluteValue(int codebook) => LargestValue[codebook];

    /// <summary>The first codebook of the cheapest pair that can hold <paramref name="maxAbs"/>; 0 for an all-zero band.</summary>
    public static int FirstCodebookFor(int maxAbs) => maxAbs switch
    {
        0 => 0,
        1 => 1,
        2 => 3,
        <= 4 => 5,
        <= 7 => 7,
        <= 12 => 9,
        _ => EscapeCodebook,
    };

    private static bool IsSigned(int codebook) => codebook is 1 or 2 or 5 or 6;

    /// <summary>
    /// Per codebook pair (1/2, 3/4, 5/6, 7/8, 9/10) and codeword index: the bits of the tuple in the odd book in the
    /// low 16 bits and in the even book in the high 16, sign bits included, so one pass over a band costs both.
    /// The 11th "pair" is codebook 11 alone (escape bits are added per line).
    /// </summary>
    private static readonly uint[][] PairBits = BuildPairBits();

    private static uint[][] BuildPairBits()
    {
        var tables = new uint[6][];
        for (int pair = 0; pair < 6; pair++)
        {
            int odd = pair == 5 ? EscapeCodebook : 2 * pair + 1;
            ReadOnlySpan<byte> first = AacHuffmanTables.SpectralLengths(odd);
            ReadOnlySpan<byte> second = pair == 5 ? first : AacHuffmanTables.SpectralLengths(odd + 1);
            var table = new uint[first.Length];
            for (int index = 0; index < first.Length; index++)
            {
                int signs = 0;
                if (!IsSigned(odd))
                {
                    // Unsigned books: the tuple's digits in base 3 (quads) or 8, 13, 17 (pairs); a sign bit per non-zero.
                    int radix = odd switch { 3 => 3, 7 => 8, 9 => 13, _ => 17 };
                    int digits = odd == 3 ? 4 : 2;
                    for (int d = 0, rest = index; d < digits; d++, rest /= radix)
                        signs += rest % radix != 0 ? 1 : 0;
                }
                table[index] = (uint)(first[index] + signs) | ((uint)(second[index] + signs) << 16);
            }
            tables[pair] = table;
        }
        return tables;
    }

    /// <summary>
    /// The cheaper codebook of the pair that can hold <paramref name="maxAbs"/> (≥ 1) and its bits, from the signed
    /// lines and their magnitudes.
    /// </summary>
    public static int CountBest(int maxAbs, ReadOnlySpan<int> lines, ReadOnlySpan<int> magnitudes, out int codebook)
    {
        int first = FirstCodebookFor(maxAbs);
        uint packed = 0;
        switch (first)
        {
            case 1:
            {
                uint[] table = PairBits[0];
                for (int i = 0; i + 3 < lines.Length; i += 4)
                    packed += table[lines[i] * 27 + lines[i + 1] * 9 + lines[i + 2] * 3 + lines[i + 3] + 40];
                break;
            }
            case 3:
            {
                uint[] table = PairBits[1];
                for (int i = 0; i + 3 < magnitudes.Length; i += 4)
                    packed += table[magnitudes[i] * 27 + magnitudes[i + 1] * 9 + magnitudes[i + 2] * 3 + magnitudes[i + 3]];
                break;
            }
            case 5:
            {
                uint[] table = PairBits[2];
                for (int i = 0; i + 1 < lines.Length; i += 2)
                    packed += table[lines[i] * 9 + lines[i + 1] + 40];
                break;
            }
            case 7 or 9:
            {
                uint[] table = PairBits[first == 7 ? 3 : 4];
                int radix = first == 7 ? 8 : 13;
                for (int i = 0; i + 1 < magnitudes.Length; i += 2)
                    packed += table[magnitudes[i] * radix + magnitudes[i + 1]];
                break;
            }
            default:
            {
                uint[] table = PairBits[5];
                int bits = 0;
                for (int i = 0; i + 1 < magnitudes.Length; i += 2)
                {
                    int y = magnitudes[i], z = magnitudes[i + 1];
                    bits += (int)(table[Math.Min(y, 16) * 17 + Math.Min(z, 16)] & 0xFFFF) + EscapeBits(y) + EscapeBits(z);
                }
                codebook = EscapeCodebook;
                return bits;
            }
        }
        int odd = (int)(packed & 0xFFFF), even = (int)(packed >> 16);
        codebook = even < odd ? first + 1 : first;
        return Math.Min(odd, even);
    }

    /// <summary>Bits to code <paramref name="values"/> (a multiple of 4 lines) with <paramref name="codebook"/>; the caller checks the LAV.</summary>
    public static int CountBits(int codebook, ReadOnlySpan<int> values)
    {
        ReadOnlySpan<byte> lengths = AacHuffmanTables.SpectralLengths(codebook);
        int bits = 0;
        switch (codebook)
        {
            case 1 or 2:
                for (int i = 0; i + 3 < values.Length; i += 4)
                    bits += lengths[values[i] * 27 + values[i + 1] * 9 + values[i + 2] * 3 + values[i + 3] + 40];
                return bits;
            case 3 or 4:
                for (int i = 0; i + 3 < values.Length; i += 4)
                {
                    int a = Math.Abs(values[i]), b = Math.Abs(values[i + 1]), c = Math.Abs(values[i + 2]), d = Math.Abs(values[i + 3]);
                    bits += lengths[a * 27 + b * 9 + c * 3 + d] + NonZero(a) + NonZero(b) + NonZero(c) + NonZero(d);
                }
                return bits;
            case 5 or 6:
                for (int i = 0; i + 1 < values.Length; i += 2)
                    bits += lengths[values[i] * 9 + values[i + 1] + 40];
                return bits;
            case 7 or 8 or 9 or 10:
            {
                int modulus = codebook <= 8 ? 8 : 13;
                for (int i = 0; i + 1 < values.Length; i += 2)
                {
                    int y = Math.Abs(values[i]), z = Math.Abs(values[i + 1]);
                    bits += lengths[y * modulus + z] + NonZero(y) + NonZero(z);
                }
                return bits;
            }
            default:
                for (int i = 0; i + 1 < values.Length; i += 2)
                {
                    int y = Math.Abs(values[i]), z = Math.Abs(values[i + 1]);
                    bits += lengths[Math.Min(y, 16) * 17 + Math.Min(z, 16)] + NonZero(y) + NonZero(z) + EscapeBits(y) + EscapeBits(z);
                }
                return bits;
        }
    }

    /// <summary>Writes <paramref name="values"/> with <paramref name="codebook"/> (1..11).</summary>
    public static void Write(ref BitWriter writer, int codebook, ReadOnlySpan<int> values)
    {
        ReadOnlySpan<byte> lengths = AacHuffmanTables.SpectralLengths(codebook);
        ReadOnlySpan<ushort> codes = AacHuffmanTables.SpectralCodes(codebook);
        if (codebook <= 4)
        {
            for (int i = 0; i + 3 < values.Length; i += 4)
            {
                int a = values[i], b = values[i + 1], c = values[i + 2], d = values[i + 3];
                if (IsSigned(codebook))
                {
                    int index = a * 27 + b * 9 + c * 3 + d + 40;
                    writer.WriteBits(codes[index], lengths[index]);
                }
                else
                {
                    int index = Math.Abs(a) * 27 + Math.Abs(b) * 9 + Math.Abs(c) * 3 + Math.Abs(d);
                    writer.WriteBits(codes[index], lengths[index]);
                    WriteSign(ref writer, a);
                    WriteSign(ref writer, b);
                    WriteSign(ref writer, c);
                    WriteSign(ref writer, d);
                }
            }
            return;
        }
        int modulus = codebook switch { 7 or 8 => 8, 9 or 10 => 13, _ => 17 };
        for (int i = 0; i + 1 < values.Length; i += 2)
        {
            int y = values[i], z = values[i + 1];
            if (IsSigned(codebook))
            {
                int index = y * 9 + z + 40;
                writer.WriteBits(codes[index], lengths[index]);
                continue;
            }
            int ay = Math.Abs(y), az = Math.Abs(z);
            int pairIndex = codebook == EscapeCodebook ? Math.Min(ay, 16) * 17 + Math.Min(az, 16) : ay * modulus + az;
            writer.WriteBits(codes[pairIndex], lengths[pairIndex]);
            WriteSign(ref writer, y);
            WriteSign(ref writer, z);
            if (codebook == EscapeCodebook)
            {
                WriteEscape(ref writer, ay);
                WriteEscape(ref writer, az);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NonZero(int value) => value != 0 ? 1 : 0;

    /// <summary>An escape sequence (4.6.3.3): N−4 ones, a zero, then N bits of value − 2^N, N = ⌊log2 value⌋ ≥ 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EscapeBits(int magnitude) => magnitude < 16 ? 0 : 2 * BitOperations.Log2((uint)magnitude) - 3;

    private static void WriteEscape(ref BitWriter writer, int magnitude)
    {
        if (magnitude < 16)
            return;
        int n = BitOperations.Log2((uint)magnitude);
        writer.WriteBits(((1u << (n - 4)) - 1) << 1, n - 3);
        writer.WriteBits((uint)(magnitude - (1 << n)), n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteSign(ref BitWriter writer, int value)
    {
        if (value != 0)
            writer.WriteBits(value < 0 ? 1u : 0u, 1);
    }
}
