using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// A reconstructed picture with padded planes and, once it serves as a reference, its three half-sample luma
/// planes (8.4.2.2.1: b horizontal, h vertical, j centre), so any quarter-sample prediction is one or the average
/// of two of them, as Table 8-12 defines.
/// </summary>
internal sealed class ReferencePicture
{
    public const int LumaPad = 32;
    public const int ChromaPad = 16;

    /// <summary>How far a 16×16 block's whole-sample position may reach outside the picture (half-sample planes cover it).</summary>
    public const int MaxReach = 24;

    private readonly short[] _horizontalIntermediate; // b1 of 8.4.2.2.1, before rounding

    public ReferencePicture(int width, int height)
    {
        Luma = new Plane(width, height, LumaPad);
        Cb = new Plane(width / 2, height / 2, ChromaPad);
        Cr = new Plane(width / 2, height / 2, ChromaPad);
        HalfHorizontal = new Plane(width, height, LumaPad);
        HalfVertical = new Plane(width, height, LumaPad);
        HalfCenter = new Plane(width, height, LumaPad);
        _horizontalIntermediate = new short[Luma.Data.Length];
    }

    public Plane Luma { get; }
    public Plane Cb { get; }
    public Plane Cr { get; }
    public Plane HalfHorizontal { get; }
    public Plane HalfVertical { get; }
    public Plane HalfCenter { get; }

    /// <summary>Pads the planes and, when <paramref name="interpolate"/>, computes the half-sample planes.</summary>
    public void Finish(bool interpolate)
    {
        Luma.ExtendEdges();
        Cb.ExtendEdges();
        Cr.ExtendEdges();
        if (interpolate)
            Interpolate();
    }

    /// <summary>
    /// The half-sample planes over the reach of motion vectors, eight samples at a time: b and h with the 6-tap
    /// filter (1, −5, 20, 20, −5, 1) and (x + 16) &gt;&gt; 5; j from the unrounded b1 values vertically, (x + 512) &gt;&gt; 10.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Interpolate()
    {
        byte[] full = Luma.Data;
        int stride = Luma.Stride;
        int reach = MaxReach + 4;
        int xStart = -reach, count = Luma.Width + 2 * reach; // a multiple of 8: widths are macroblock multiples
        short[] b1 = _horizontalIntermediate;
        byte[] horizontal = HalfHorizontal.Data, vertical = HalfVertical.Data, center = HalfCenter.Data;
        Vector128<short> five = Vector128.Create((short)5), twenty = Vector128.Create((short)20), sixteen = Vector128.Create((short)16);
        Vector128<int> fiveInt = Vector128.Create(5), twentyInt = Vector128.Create(20), roundCenter = Vector128.Create(512);

        for (int y = -reach - 2; y < Luma.Height + reach + 3; y++)
        {
            int row = Luma.Offset(xStart, y);
            for (int x = 0; x < count; x += 8)
            {
                int o = row + x;
                Vector128<short> value = Load8(full, o - 2) + Load8(full, o + 3) - five * (Load8(full, o - 1) + Load8(full, o + 2)) + twenty * (Load8(full, o) + Load8(full, o + 1));
                value.CopyTo(b1.AsSpan(o, 8));
                Store8(horizontal, o, Vector128.ShiftRightArithmetic(value + sixteen, 5));
            }
        }
        for (int y = -reach; y < Luma.Height + reach; y++)
        {
            int row = Luma.Offset(xStart, y);
            for (int x = 0; x < count; x += 8)
            {
                int o = row + x;
                Vector128<short> h1 = Load8(full, o - 2 * stride) + Load8(full, o + 3 * stride) - five * (Load8(full, o - stride) + Load8(full, o + 2 * stride))
                    + twenty * (Load8(full, o) + Load8(full, o + stride));
                Store8(vertical, o, Vector128.ShiftRightArithmetic(h1 + sixteen, 5));

                (Vector128<int> m2Low, Vector128<int> m2High) = Vector128.Widen(Vector128.Create(b1.AsSpan(o - 2 * stride, 8)));
                (Vector128<int> m1Low, Vector128<int> m1High) = Vector128.Widen(Vector128.Create(b1.AsSpan(o - stride, 8)));
                (Vector128<int> p0Low, Vector128<int> p0High) = Vector128.Widen(Vector128.Create(b1.AsSpan(o, 8)));
                (Vector128<int> p1Low, Vector128<int> p1High) = Vector128.Widen(Vector128.Create(b1.AsSpan(o + stride, 8)));
                (Vector128<int> p2Low, Vector128<int> p2High) = Vector128.Widen(Vector128.Create(b1.AsSpan(o + 2 * stride, 8)));
                (Vector128<int> p3Low, Vector128<int> p3High) = Vector128.Widen(Vector128.Create(b1.AsSpan(o + 3 * stride, 8)));
                Vector128<int> jLow = m2Low + p3Low - fiveInt * (m1Low + p2Low) + twentyInt * (p0Low + p1Low);
                Vector128<int> jHigh = m2High + p3High - fiveInt * (m1High + p2High) + twentyInt * (p0High + p1High);
                Vector128<short> j = Vector128.Narrow(Vector128.ShiftRightArithmetic(jLow + roundCenter, 10), Vector128.ShiftRightArithmetic(jHigh + roundCenter, 10));
                Store8(center, o, j);
            }
        }
    }

    /// <summary>Eight samples widened to 16 bits.</summary>
    private static Vector128<short> Load8(byte[] data, int offset) =>
        Vector128.WidenLower(Vector128.Create(data.AsSpan(offset, 16))).AsInt16();

    /// <summary>Clips eight 16-bit values to 0..255 and stores them as bytes.</summary>
    private static void Store8(byte[] data, int offset, Vector128<short> values)
    {
        Vector128<short> clipped = Vector128.Min(Vector128.Max(values, Vector128<short>.Zero), Vector128.Create((short)255));
        Vector128<byte> narrowed = Vector128.Narrow(clipped.AsUInt16(), clipped.AsUInt16());
        narrowed.GetLower().CopyTo(data.AsSpan(offset, 8));
    }

    /// <summary>
    /// The 16×16 luma prediction of the block at (<paramref name="x"/>, <paramref name="y"/>) moved by the quarter-sample
    /// vector (<paramref name="mvX"/>, <paramref name="mvY"/>), into <paramref name="prediction"/> (stride 16).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PredictLuma(int x, int y, int mvX, int mvY, Span<byte> prediction)
    {
        int o = Luma.Offset(x + (mvX >> 2), y + (mvY >> 2));
        int stride = Luma.Stride;
        byte[] full = Luma.Data, horizontal = HalfHorizontal.Data, vertical = HalfVertical.Data, center = HalfCenter.Data;
        switch ((mvY & 3) * 4 + (mvX & 3))
        {
            case 0: Copy(full, o, stride, prediction); break;
            case 1: Average(full, o, horizontal, o, stride, prediction); break;
            case 2: Copy(horizontal, o, stride, prediction); break;
            case 3: Average(full, o + 1, horizontal, o, stride, prediction); break;
            case 4: Average(full, o, vertical, o, stride, prediction); break;
            case 5: Average(horizontal, o, vertical, o, stride, prediction); break;
            case 6: Average(horizontal, o, center, o, stride, prediction); break;
            case 7: Average(horizontal, o, vertical, o + 1, stride, prediction); break;
            case 8: Copy(vertical, o, stride, prediction); break;
            case 9: Average(vertical, o, center, o, stride, prediction); break;
            case 10: Copy(center, o, stride, prediction); break;
            case 11: Average(center, o, vertical, o + 1, stride, prediction); break;
            case 12: Average(full, o + stride, vertical, o, stride, prediction); break;
            case 13: Average(vertical, o, horizontal, o + stride, stride, prediction); break;
            case 14: Average(center, o, horizontal, o + stride, stride, prediction); break;
            default: Average(vertical, o + 1, horizontal, o + stride, stride, prediction); break;
        }
    }

    /// <summary>8.4.2.2.2: the 8×8 chroma predictions for a luma vector (eighth-sample chroma units in 4:2:0).</summary>
    public void PredictChroma(int chromaX, int chromaY, int mvX, int mvY, Span<byte> cb, Span<byte> cr)
    {
        PredictChromaPlane(Cb, chromaX, chromaY, mvX, mvY, cb);
        PredictChromaPlane(Cr, chromaX, chromaY, mvX, mvY, cr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PredictChromaPlane(Plane plane, int chromaX, int chromaY, int mvX, int mvY, Span<byte> prediction)
    {
        int o = plane.Offset(chromaX + (mvX >> 3), chromaY + (mvY >> 3));
        int fx = mvX & 7, fy = mvY & 7, stride = plane.Stride;
        byte[] data = plane.Data;
        int wA = (8 - fx) * (8 - fy), wB = fx * (8 - fy), wC = (8 - fx) * fy, wD = fx * fy;
        for (int y = 0; y < 8; y++)
        {
            int row = o + y * stride;
            for (int x = 0; x < 8; x++)
            {
                int p = row + x;
                prediction[y * 8 + x] = (byte)((wA * data[p] + wB * data[p + 1] + wC * data[p + stride] + wD * data[p + stride + 1] + 32) >> 6);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Copy(byte[] source, int offset, int stride, Span<byte> destination)
    {
        for (int y = 0; y < 16; y++)
            source.AsSpan(offset + y * stride, 16).CopyTo(destination.Slice(y * 16));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Average(byte[] a, int aOffset, byte[] b, int bOffset, int stride, Span<byte> destination)
    {
        for (int y = 0; y < 16; y++)
        {
            var va = System.Runtime.Intrinsics.Vector128.Create(a.AsSpan(aOffset + y * stride, 16));
            var vb = System.Runtime.Intrinsics.Vector128.Create(b.AsSpan(bOffset + y * stride, 16));
            // (a + b + 1) >> 1 without overflow: (a | b) − ((a ^ b) >> 1)
            var average = (va | vb) - System.Runtime.Intrinsics.Vector128.ShiftRightLogical(va ^ vb, 1);
            average.CopyTo(destination.Slice(y * 16));
        }
    }
}
