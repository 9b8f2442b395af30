using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// Intra prediction from reconstructed neighbours exactly as H.264 8.3 defines it: Intra_16x16 (8.3.3), chroma
/// (8.3.4) and the Intra_4x4 modes we use (8.3.1.2: vertical, horizontal, DC, horizontal-up; the modes that read
/// the block above-right are left out, so its availability never matters).
/// </summary>
internal static class IntraPredictor
{
    public const int Vertical16 = 0, Horizontal16 = 1, Dc16 = 2, Plane16 = 3;
    public const int ChromaDc = 0, ChromaHorizontal = 1, ChromaVertical = 2, ChromaPlane = 3;
    public const int Vertical4 = 0, Horizontal4 = 1, Dc4 = 2, HorizontalUp4 = 8;

    /// <summary>Whether a 16×16 or chroma mode can be used with these neighbours.</summary>
    public static bool Luma16x16Available(int mode, bool left, bool top) => mode switch
    {
        Vertical16 => top,
        Horizontal16 => left,
        Dc16 => true,
        _ => left && top,
    };

    public static bool ChromaAvailable(int mode, bool left, bool top) => mode switch
    {
        ChromaDc => true,
        ChromaHorizontal => left,
        ChromaVertical => top,
        _ => left && top,
    };

    /// <summary>
    /// Predicts a square block of <paramref name="size"/> (16 luma, 8 chroma) at <paramref name="offset"/> in
    /// <paramref name="plane"/> into <paramref name="prediction"/> (stride <paramref name="size"/>). Luma modes use
    /// 16×16 numbering; chroma callers map theirs with <see cref="Chroma"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Luma16x16(byte[] plane, int offset, int stride, bool left, bool top, int mode, Span<byte> prediction)
    {
        switch (mode)
        {
            case Vertical16:
                for (int y = 0; y < 16; y++)
                    plane.AsSpan(offset - stride, 16).CopyTo(prediction.Slice(y * 16));
                break;
            case Horizontal16:
                for (int y = 0; y < 16; y++)
                    prediction.Slice(y * 16, 16).Fill(plane[offset + y * stride - 1]);
                break;
            case Dc16:
            {
                int sumTop = 0, sumLeft = 0;
                for (int i = 0; i < 16; i++)
                {
                    sumTop += plane[offset - stride + i];
                    sumLeft += plane[offset + i * stride - 1];
                }
                int dc = left && top ? (sumTop + sumLeft + 16) >> 5 : left ? (sumLeft + 8) >> 4 : top ? (sumTop + 8) >> 4 : 128;
                prediction.Slice(0, 256).Fill((byte)dc);
                break;
            }
            default:
                PlanePrediction(plane, offset, stride, 16, prediction);
                break;
        }
    }

    /// <summary>Chroma prediction of one 8×8 component (8.3.4), chroma mode numbering.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Chroma(byte[] plane, int offset, int stride, bool left, bool top, int mode, Span<byte> prediction)
    {
        switch (mode)
        {
            case ChromaVertical:
                for (int y = 0; y < 8; y++)
                    plane.AsSpan(offset - stride, 8).CopyTo(prediction.Slice(y * 8));
                break;
            case ChromaHorizontal:
                for (int y = 0; y < 8; y++)
                    prediction.Slice(y * 8, 8).Fill(plane[offset + y * stride - 1]);
                break;
            case ChromaDc:
                for (int blockY = 0; blockY < 2; blockY++)
                {
                    for (int blockX = 0; blockX < 2; blockX++)
                    {
                        int sumTop = 0, sumLeft = 0;
                        for (int i = 0; i < 4; i++)
                        {
                            sumTop += plane[offset - stride + blockX * 4 + i];
                            sumLeft += plane[offset + (blockY * 4 + i) * stride - 1];
                        }
                        int dc;
                        if (blockX == blockY)
                            dc = left && top ? (sumTop + sumLeft + 4) >> 3 : left ? (sumLeft + 2) >> 2 : top ? (sumTop + 2) >> 2 : 128;
                        else if (blockX == 1) // top-right block prefers the samples above
                            dc = top ? (sumTop + 2) >> 2 : left ? (sumLeft + 2) >> 2 : 128;
                        else                  // bottom-left block prefers the samples to the left
                            dc = left ? (sumLeft + 2) >> 2 : top ? (sumTop + 2) >> 2 : 128;
                        for (int y = 0; y < 4; y++)
                            prediction.Slice((blockY * 4 + y) * 8 + blockX * 4, 4).Fill((byte)dc);
                    }
                }
                break;
            default:
                PlanePrediction(plane, offset, stride, 8, prediction);
                break;
        }
    }

    /// <summary>Plane prediction for 16×16 luma (8.3.3.4) and 8×8 chroma (8.3.4.4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PlanePrediction(byte[] plane, int offset, int stride, int size, Span<byte> prediction)
    {
        int half = size / 2;
        int h = 0, v = 0;
        for (int i = 0; i < half; i++)
        {
            // p[x', −1] for x' = half + i and half − 2 − i (the latter is p[−1, −1] when i = half − 1).
            h += (i + 1) * (plane[offset - stride + half + i] - plane[offset - stride + half - 2 - i]);
            v += (i + 1) * (plane[offset + (half + i) * stride - 1] - plane[offset + (half - 2 - i) * stride - 1]);
        }
        int a = 16 * (plane[offset + (size - 1) * stride - 1] + plane[offset - stride + size - 1]);
        int b, c;
        if (size == 16)
        {
            b = (5 * h + 32) >> 6;
            c = (5 * v + 32) >> 6;
        }
        else
        {
            b = (34 * h + 32) >> 6;
            c = (34 * v + 32) >> 6;
        }
        int center = half - 1;
        for (int y = 0; y < size; y++)
        {
            int rowValue = a + c * (y - center) + 16;
            for (int x = 0; x < size; x++)
                prediction[y * size + x] = Clip((rowValue + b * (x - center)) >> 5);
        }
    }

    /// <summary>Intra_4x4 prediction of the block at <paramref name="offset"/> (stride-4 output).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Luma4x4(byte[] plane, int offset, int stride, bool left, bool top, int mode, Span<byte> prediction)
    {
        switch (mode)
        {
            case Vertical4:
                for (int y = 0; y < 4; y++)
                    plane.AsSpan(offset - stride, 4).CopyTo(prediction.Slice(y * 4));
                break;
            case Horizontal4:
                for (int y = 0; y < 4; y++)
                    prediction.Slice(y * 4, 4).Fill(plane[offset + y * stride - 1]);
                break;
            case Dc4:
            {
                int sumTop = 0, sumLeft = 0;
                for (int i = 0; i < 4; i++)
                {
                    sumTop += plane[offset - stride + i];
                    sumLeft += plane[offset + i * stride - 1];
                }
                int dc = left && top ? (sumTop + sumLeft + 4) >> 3 : left ? (sumLeft + 2) >> 2 : top ? (sumTop + 2) >> 2 : 128;
                prediction.Slice(0, 16).Fill((byte)dc);
                break;
            }
            default: // Intra_4x4_Horizontal_Up, 8.3.1.2.9
            {
                int l0 = plane[offset - 1], l1 = plane[offset + stride - 1], l2 = plane[offset + 2 * stride - 1], l3 = plane[offset + 3 * stride - 1];
                Span<int> l = [l0, l1, l2, l3, l3, l3];
                for (int y = 0; y < 4; y++)
                {
                    for (int x = 0; x < 4; x++)
                    {
                        int z = x + 2 * y;
                        int value;
                        if (z > 5)
                            value = l3;
                        else if (z == 5)
                            value = (l2 + 3 * l3 + 2) >> 2;
                        else if ((z & 1) == 0)
                            value = (l[y + (x >> 1)] + l[y + (x >> 1) + 1] + 1) >> 1;
                        else
                            value = (l[y + (x >> 1)] + 2 * l[y + (x >> 1) + 1] + l[y + (x >> 1) + 2] + 2) >> 2;
                        prediction[y * 4 + x] = (byte)value;
                    }
                }
                break;
            }
        }
    }

    public static byte Clip(int value) => (byte)Math.Clamp(value, 0, 255);
}
