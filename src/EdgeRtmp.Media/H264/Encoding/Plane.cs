using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// One picture plane with a border of <see cref="Pad"/> samples on every side. The border of a reference copies
/// its edge samples outwards, which is what the decoder's coordinate clamping (8.4.2.2) reads there.
/// </summary>
internal sealed class Plane
{
    public Plane(int width, int height, int pad)
    {
        Width = width;
        Height = height;
        Pad = pad;
        Stride = width + 2 * pad;
        // Slack after the last row: vector loads of 16 bytes may start in the border's last samples.
        Data = new byte[Stride * (height + 2 * pad) + 32];
        Origin = pad * Stride + pad;
    }

    public int Width { get; }
    public int Height { get; }
    public int Pad { get; }
    public int Stride { get; }
    public int Origin { get; }
    public byte[] Data { get; }

    public int Offset(int x, int y) => Origin + y * Stride + x;

    /// <summary>Replicates the edge samples into the border.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ExtendEdges()
    {
        byte[] data = Data;
        for (int y = 0; y < Height; y++)
        {
            int row = Offset(0, y);
            data.AsSpan(row - Pad, Pad).Fill(data[row]);
            data.AsSpan(row + Width, Pad).Fill(data[row + Width - 1]);
        }
        ReadOnlySpan<byte> top = data.AsSpan(Offset(-Pad, 0), Stride);
        ReadOnlySpan<byte> bottom = data.AsSpan(Offset(-Pad, Height - 1), Stride);
        for (int y = 1; y <= Pad; y++)
        {
            top.CopyTo(data.AsSpan(Offset(-Pad, -y), Stride));
            bottom.CopyTo(data.AsSpan(Offset(-Pad, Height - 1 + y), Stride));
        }
    }

    /// <summary>
    /// Fills the plane from <paramref name="source"/> (<paramref name="sourceWidth"/>×<paramref name="sourceHeight"/>),
    /// repeating the last column and row where the plane is larger (macroblock rounding).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Load(ReadOnlySpan<byte> source, int sourceStride, int sourceWidth, int sourceHeight)
    {
        byte[] data = Data;
        for (int y = 0; y < Height; y++)
        {
            int sourceRow = Math.Min(y, sourceHeight - 1) * sourceStride;
            int row = Offset(0, y);
            source.Slice(sourceRow, sourceWidth).CopyTo(data.AsSpan(row));
            if (Width > sourceWidth)
                data.AsSpan(row + sourceWidth, Width - sourceWidth).Fill(data[row + sourceWidth - 1]);
        }
    }

    /// <summary>Copies the top-left <paramref name="width"/>×<paramref name="height"/> samples out, tightly packed.</summary>
    public void CopyTo(Span<byte> destination, int width, int height)
    {
        for (int y = 0; y < height; y++)
            Data.AsSpan(Offset(0, y), width).CopyTo(destination.Slice(y * width));
    }
}
