using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>Distortion measures for mode decision and motion search: SAD (vectorised) and the 4×4 Hadamard SATD.</summary>
internal static class PixelMetrics
{
    /// <summary>Sum of absolute differences of a 16×16 block.</summary>
    public static int Sad16x16(ReadOnlySpan<byte> a, int aStride, ReadOnlySpan<byte> b, int bStride)
    {
        if (Sse2.IsSupported)
        {
            Vector128<ulong> sum = Vector128<ulong>.Zero;
            for (int y = 0; y < 16; y++)
            {
                var va = Vector128.Create(a.Slice(y * aStride, 16));
                var vb = Vector128.Create(b.Slice(y * bStride, 16));
                sum += Sse2.SumAbsoluteDifferences(va, vb).AsUInt64();
            }
            return (int)(sum.GetElement(0) + sum.GetElement(1));
        }
        Vector128<ushort> total = Vector128<ushort>.Zero;
        for (int y = 0; y < 16; y++)
        {
            var va = Vector128.Create(a.Slice(y * aStride, 16));
            var vb = Vector128.Create(b.Slice(y * bStride, 16));
            Vector128<byte> difference = Vector128.Max(va, vb) - Vector128.Min(va, vb);
            (Vector128<ushort> low, Vector128<ushort> high) = Vector128.Widen(difference);
            total += low + high;
        }
        return (int)Vector128.Sum(Vector128.WidenLower(total) + Vector128.WidenUpper(total));
    }

    /// <summary>Sum of absolute differences of an 8×8 block.</summary>
    public static int Sad8x8(ReadOnlySpan<byte> a, int aStride, ReadOnlySpan<byte> b, int bStride)
    {
        int sum = 0;
        for (int y = 0; y < 8; y++)
        {
            ReadOnlySpan<byte> ra = a.Slice(y * aStride, 8), rb = b.Slice(y * bStride, 8);
            for (int x = 0; x < 8; x++)
                sum += Math.Abs(ra[x] - rb[x]);
        }
        return sum;
    }

    /// <summary>Sum of absolute Hadamard-transformed differences of a 4×4 block, halved (x264's scale).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Satd4x4(ReadOnlySpan<byte> a, int aStride, ReadOnlySpan<byte> b, int bStride)
    {
        Span<int> d = stackalloc int[16];
        for (int y = 0; y < 4; y++)
        {
            ReadOnlySpan<byte> ra = a.Slice(y * aStride, 4), rb = b.Slice(y * bStride, 4);
            int d0 = ra[0] - rb[0], d1 = ra[1] - rb[1], d2 = ra[2] - rb[2], d3 = ra[3] - rb[3];
            int s01 = d0 + d1, t01 = d0 - d1, s23 = d2 + d3, t23 = d2 - d3;
            d[y * 4] = s01 + s23;
            d[y * 4 + 1] = s01 - s23;
            d[y * 4 + 2] = t01 + t23;
            d[y * 4 + 3] = t01 - t23;
        }
        int sum = 0;
        for (int x = 0; x < 4; x++)
        {
            int s01 = d[x] + d[4 + x], t01 = d[x] - d[4 + x], s23 = d[8 + x] + d[12 + x], t23 = d[8 + x] - d[12 + x];
            sum += Math.Abs(s01 + s23) + Math.Abs(s01 - s23) + Math.Abs(t01 + t23) + Math.Abs(t01 - t23);
        }
        return sum >> 1;
    }

    /// <summary>SATD of a 16×16 block as 16 4×4 transforms.</summary>
    public static int Satd16x16(ReadOnlySpan<byte> a, int aStride, ReadOnlySpan<byte> b, int bStride)
    {
        int sum = 0;
        for (int by = 0; by < 4; by++)
        {
            for (int bx = 0; bx < 4; bx++)
                sum += Satd4x4(a.Slice(by * 4 * aStride + bx * 4), aStride, b.Slice(by * 4 * bStride + bx * 4), bStride);
        }
        return sum;
    }
}
