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
