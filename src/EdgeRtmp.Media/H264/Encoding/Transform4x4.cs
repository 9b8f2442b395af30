using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// The 4×4 integer transform, the DC Hadamard transforms and (de)quantisation with flat scaling lists.
/// The inverse side follows H.264 8.5.10–8.5.12 to the bit, because our reconstruction must equal the decoder's;
/// the forward side is the usual encoder counterpart (any rounding works there).
/// Blocks are 16 ints in raster order; levels are in zig-zag scan order.
/// </summary>
internal static class Transform4x4
{
    /// <summary>8.5.9 normAdjust4x4 v(m, class): class 0 both coordinates even, 1 both odd, 2 mixed.</summary>
    private static ReadOnlySpan<byte> DequantV => [10, 16, 13, 11, 18, 14, 13, 20, 16, 14, 23, 18, 16, 25, 20, 18, 29, 23];

    /// <summary>Encoder multiplication factors matching <see cref="DequantV"/> (2^15 · 16 / (v² · norm)).</summary>
    private static ReadOnlySpan<ushort> QuantMf => [13107, 5243, 8066, 11916, 4660, 7490, 10082, 4194, 6554, 9362, 3647, 5825, 8192, 3355, 5243, 7282, 2893, 4559];

    /// <summary>Position class of each raster index.</summary>
    private static ReadOnlySpan<byte> PositionClass => [0, 2, 0, 2, 2, 1, 2, 1, 0, 2, 0, 2, 2, 1, 2, 1];

    /// <summary>Forward core transform (Cf · X · Cfᵀ) of a residual block, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Span<int> block)
    {
        for (int i = 0; i < 16; i += 4)
        {
            int s03 = block[i] + block[i + 3], d03 = block[i] - block[i + 3];
            int s12 = block[i + 1] + block[i + 2], d12 = block[i + 1] - block[i + 2];
            block[i] = s03 + s12;
            block[i + 1] = 2 * d03 + d12;
            block[i + 2] = s03 - s12;
            block[i + 3] = d03 - 2 * d12;
        }
        for (int j = 0; j < 4; j++)
        {
            int s03 = block[j] + block[12 + j], d03 = block[j] - block[12 + j];
            int s12 = block[4 + j] + block[8 + j], d12 = block[4 + j] - block[8 + j];
            block[j] = s03 + s12;
            block[4 + j] = 2 * d03 + d12;
            block[8 + j] = s03 - s12;
            block[12 + j] = d03 - 2 * d12;
        }
    }

    /// <summary>8.5.12.2: scaled coefficients d in, residual r = (h + 32) &gt;&gt; 6 out, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Inverse(Span<int> d)
    {
        for (int i = 0; i < 16; i += 4)
        {
            int e0 = d[i] + d[i + 2], e1 = d[i] - d[i + 2];
            int e2 = (d[i + 1] >> 1) - d[i + 3], e3 = d[i + 1] + (d[i + 3] >> 1);
            d[i] = e0 + e3;
            d[i + 1] = e1 + e2;
            d[i + 2] = e1 - e2;
            d[i + 3] = e0 - e3;
        }
        for (int j = 0; j < 4; j++)
        {
            int g0 = d[j] + d[8 + j], g1 = d[j] - d[8 + j];
            int g2 = (d[4 + j] >> 1) - d[12 + j], g3 = d[4 + j] + (d[12 + j] >> 1);
            d[j] = (g0 + g3 + 32) >> 6;
            d[4 + j] = (g1 + g2 + 32) >> 6;
            d[8 + j] = (g1 - g2 + 32) >> 6;
            d[12 + j] = (g0 - g3 + 32) >> 6;
        }
    }

    /// <summary>The 4×4 Hadamard butterfly (the matrix of 8.5.10), in place, no scaling.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Hadamard(Span<int> block)
    {
        for (int i = 0; i < 16; i += 4)
        {
            int s03 = block[i] + block[i + 3], d03 = block[i] - block[i + 3];
            int s12 = block[i + 1] + block[i + 2], d12 = block[i + 1] - block[i + 2];
            block[i] = s03 + s12;
            block[i + 1] = d03 + d12;
            block[i + 2] = s03 - s12;
            block[i + 3] = d03 - d12;
        }
        for (int j = 0; j < 4; j++)
        {
            int s03 = block[j] + block[12 + j], d03 = block[j] - block[12 + j];
            int s12 = block[4 + j] + block[8 + j], d12 = block[4 + j] - block[8 + j];
            block[j] = s03 + s12;
            block[4 + j] = d03 + d12;
            block[8 + j] = s03 - s12;
            block[12 + j] = d03 - d12;
        }
    }

    /// <summary>2×2 Hadamard of chroma DC (8.5.11.1), in place.</summary>
    public static void Hadamard2x2(Span<int> c)
    {
        int a = c[0] + c[1], b = c[0] - c[1], e = c[2] + c[3], f = c[2] - c[3];
        c[0] = a + e;
        c[1] = b + f;
        c[2] = a - e;
        c[3] = b - f;
    }

    /// <summary>Rounding offset for quantisation: a third of a step for intra, a sixth for inter (as the JM does).</summary>
    public static int Deadzone(int qp, bool intra) => (1 << (15 + qp / 6)) / (intra ? 3 : 6);

    /// <summary>MF of each raster position for each QP % 6, for the vectorised quantiser.</summary>
    private static readonly int[] s_quantMfRaster = BuildRasterTable(QuantMf);

    private static int[] BuildRasterTable(ReadOnlySpan<ushort> byClass)
    {
        var table = new int[6 * 16];
        for (int m = 0; m < 6; m++)
        {
            for (int position = 0; position < 16; position++)
                table[m * 16 + position] = byClass[m * 3 + PositionClass[position]];
        }
        return table;
    }

    /// <summary>
    /// Quantises coefficients <paramref name="first"/>..15 of a raster block into <paramref name="levels"/> (scan order):
    /// |level| = min((|c| · MF + deadzone) &gt;&gt; (15 + QP / 6), 2047), four coefficients at a time.
    /// Returns the number of nonzero levels.
    /// </summary>
    public static int Quantize(ReadOnlySpan<int> coefficients, Span<short> levels, int qp, int deadzone, int first)
    {
        int qbits = 15 + qp / 6;
        ReadOnlySpan<int> mf = s_quantMfRaster.AsSpan(qp % 6 * 16, 16);
        Vector128<int> bias = Vector128.Create(deadzone), limit = Vector128.Create(CavlcWriter.MaxLevel);
        Span<int> quantized = stackalloc int[16];
        for (int row = 0; row < 16; row += 4)
        {
            Vector128<int> c = Vector128.Create(coefficients.Slice(row, 4));
            Vector128<int> magnitude = Vector128.Min(Vector128.ShiftRightArithmetic(Vector128.Abs(c) * Vector128.Create(mf.Slice(row, 4)) + bias, qbits), limit);
            Vector128<int> sign = Vector128.ShiftRightArithmetic(c, 31);
            ((magnitude ^ sign) - sign).CopyTo(quantized.Slice(row, 4));
        }
        ReadOnlySpan<byte> zigzag = CavlcTables.ZigZag4x4;
        int nonzero = 0;
        levels[0] = 0;
        for (int k = first; k < 16; k++)
        {
            int level = quantized[zigzag[k]];
            levels[k] = (short)level;
            nonzero += level != 0 ? 1 : 0;
        }
        return nonzero;
    }

    /// <summary>
    /// The largest residual SAD of a 4×4 block whose every coefficient surely quantises to zero: no transform
    /// coefficient exceeds its basis weight (1, 2 or 4 by position class) times the SAD, so all levels are zero when
    /// SAD · max(weight · MF) + deadzone &lt; 2^qbits.
    /// </summary>
    public static int ZeroBlockSadLimit(int qp, int deadzone)
    {
        int row = qp % 6 * 3;
        int factor = Math.Max(QuantMf[row], Math.Max(4 * QuantMf[row + 1], 2 * QuantMf[row + 2]));
        return ((1 << (15 + qp / 6)) - deadzone - 1) / factor;
    }

    /// <summary>8.5.12.1 with flat scaling: d = c · v &lt;&lt; (qP / 6) for scan positions first..15 (raster output).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dequantize(ReadOnlySpan<short> levels, Span<int> coefficients, int qp, int first)
    {
        int shift = qp / 6;
        int row = qp % 6 * 3;
        ReadOnlySpan<byte> zigzag = CavlcTables.ZigZag4x4;
        ReadOnlySpan<byte> v = DequantV;
        ReadOnlySpan<byte> positionClass = PositionClass;
        for (int k = first; k < 16; k++)
        {
            int position = zigzag[k];
            coefficients[position] = (levels[k] * v[row + positionClass[position]]) << shift;
        }
    }

    /// <summary>Quantises a DC coefficient (luma Intra16x16 or chroma) whose transform doubled its scale.</summary>
    public static short QuantizeDc(int value, int qp, int deadzone)
    {
        int qbits = 16 + qp / 6;
        int magnitude = (int)Math.Min(((long)Math.Abs(value) * QuantMf[qp % 6 * 3] + 2L * deadzone) >> qbits, CavlcWriter.MaxLevel);
        return (short)(value < 0 ? -magnitude : magnitude);
    }

    /// <summary>8.5.10: scaling of the Hadamard-transformed Intra16x16 luma DC f to dcY.</summary>
    public static int ScaleLumaDc(int f, int qp)
    {
        int levelScale = 16 * DequantV[qp % 6 * 3];
        if (qp >= 36)
            return (f * levelScale) << (qp / 6 - 6);
        return (f * levelScale + (1 << (5 - qp / 6))) >> (6 - qp / 6);
    }

    /// <summary>8.5.11.2 (4:2:0): scaling of the Hadamard-transformed chroma DC f to dcC.</summary>
    public static int ScaleChromaDc(int f, int qp) => ((f * 16 * DequantV[qp % 6 * 3]) << (qp / 6)) >> 5;
}
