using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>Distortion measures for mode decision and motion search: SAD (vectorised) and the 4×4 Hadamard SATD.</summary>
internal static class PixelMetrics
{
    /// <summary>Sum of absolute differences of a 16×16 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Sad8x8(ReadOnlySpan<byte> a, int aStride, ReadOnlySpan<byte> b, int bStride)
    {
        Vector128<ushort> total = Vector128<ushort>.Zero;
        for (int y = 0; y < 8; y += 2)
        {
            // Two 8-sample rows in one vector.
            var va = Vector128.Create(Vector64.Create(a.Slice(y * aStride, 8)), Vector64.Create(a.Slice((y + 1) * aStride, 8)));
            var vb = Vector128.Create(Vector64.Create(b.Slice(y * bStride, 8)), Vector64.Create(b.Slice((y + 1) * bStride, 8)));
            if (Sse2.IsSupported)
            {
                total += Sse2.SumAbsoluteDifferences(va, vb);
                continue;
            }
            Vector128<byte> difference = Vector128.Max(va, vb) - Vector128.Min(va, vb);
            (Vector128<ushort> low, Vector128<ushort> high) = Vector128.Widen(difference);
            total += low + high;
        }
        return (int)Vector128.Sum(Vector128.WidenLower(total) + Vector128.WidenUpper(total));
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

    /// <summary>
    /// SATD of a 16×16 block as 16 4×4 Hadamard transforms, vectorised: each strip of four rows is transformed
    /// vertically lane by lane, then horizontally within each group of four lanes by two shuffle-and-add steps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Satd16x16(ReadOnlySpan<byte> a, int aStride, ReadOnlySpan<byte> b, int bStride)
    {
        Vector128<short> swapPairs = Vector128.Create((short)1, 0, 3, 2, 5, 4, 7, 6);
        Vector128<short> swapHalves = Vector128.Create((short)2, 3, 0, 1, 6, 7, 4, 5);
        Vector128<short> oddLanes = Vector128.Create((short)0, -1, 0, -1, 0, -1, 0, -1);
        Vector128<short> upperLanes = Vector128.Create((short)0, 0, -1, -1, 0, 0, -1, -1);
        Vector128<uint> total = Vector128<uint>.Zero;
        for (int strip = 0; strip < 16; strip += 4)
        {
            Difference(a, aStride, b, bStride, strip, out Vector128<short> r0Low, out Vector128<short> r0High);
            Difference(a, aStride, b, bStride, strip + 1, out Vector128<short> r1Low, out Vector128<short> r1High);
            Difference(a, aStride, b, bStride, strip + 2, out Vector128<short> r2Low, out Vector128<short> r2High);
            Difference(a, aStride, b, bStride, strip + 3, out Vector128<short> r3Low, out Vector128<short> r3High);
            Vector128<ushort> sum = Vector128<ushort>.Zero;
            sum += Columns(r0Low, r1Low, r2Low, r3Low, swapPairs, swapHalves, oddLanes, upperLanes);
            sum += Columns(r0High, r1High, r2High, r3High, swapPairs, swapHalves, oddLanes, upperLanes);
            total += Vector128.WidenLower(sum) + Vector128.WidenUpper(sum);
        }
        return (int)(Vector128.Sum(total) >> 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Difference(ReadOnlySpan<byte> a, int aStride, ReadOnlySpan<byte> b, int bStride, int row, out Vector128<short> low, out Vector128<short> high)
    {
        (Vector128<ushort> aLow, Vector128<ushort> aHigh) = Vector128.Widen(Vector128.Create(a.Slice(row * aStride, 16)));
        (Vector128<ushort> bLow, Vector128<ushort> bHigh) = Vector128.Widen(Vector128.Create(b.Slice(row * bStride, 16)));
        low = (aLow - bLow).AsInt16();
        high = (aHigh - bHigh).AsInt16();
    }

    /// <summary>Absolute Hadamard coefficients of the two 4×4 blocks held in four row vectors, summed per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Columns(Vector128<short> r0, Vector128<short> r1, Vector128<short> r2, Vector128<short> r3,
        Vector128<short> swapPairs, Vector128<short> swapHalves, Vector128<short> oddLanes, Vector128<short> upperLanes)
    {
        Vector128<short> s01 = r0 + r1, d01 = r0 - r1, s23 = r2 + r3, d23 = r2 - r3;
        Vector128<ushort> sum = Horizontal(s01 + s23, swapPairs, swapHalves, oddLanes, upperLanes);
        sum += Horizontal(s01 - s23, swapPairs, swapHalves, oddLanes, upperLanes);
        sum += Horizontal(d01 + d23, swapPairs, swapHalves, oddLanes, upperLanes);
        sum += Horizontal(d01 - d23, swapPairs, swapHalves, oddLanes, upperLanes);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Horizontal(Vector128<short> v, Vector128<short> swapPairs, Vector128<short> swapHalves, Vector128<short> oddLanes, Vector128<short> upperLanes)
    {
        Vector128<short> swapped = Vector128.Shuffle(v, swapPairs);
        Vector128<short> step = Vector128.ConditionalSelect(oddLanes, swapped - v, v + swapped);
        swapped = Vector128.Shuffle(step, swapHalves);
        step = Vector128.ConditionalSelect(upperLanes, swapped - step, step + swapped);
        return Vector128.Abs(step).AsUInt16();
    }
}
