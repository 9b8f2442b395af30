namespace EdgeRtmp.Media.TestCard;

/// <summary>A planar YUV 4:2:0 picture whose size is a whole number of 16×16 macroblocks.</summary>
internal sealed class YuvFrame
{
    public YuvFrame(int widthInMbs, int heightInMbs)
    {
        WidthInMbs = widthInMbs;
        HeightInMbs = heightInMbs;
        Width = widthInMbs * 16;
        Height = heightInMbs * 16;
        Luma = new byte[Width * Height];
        Cb = new byte[Width * Height / 4];
        Cr = new byte[Width * Height / 4];
    }

    public int WidthInMbs { get; }
    public int HeightInMbs { get; }
    public int Width { get; }
    public int Height { get; }
    public int ChromaWidth => Width / 2;
    public byte[] Luma { get; }
    public byte[] Cb { get; }
    public byte[] Cr { get; }

    public void CopyTo(YuvFrame destination)
    {
        Luma.CopyTo(destination.Luma, 0);
        Cb.CopyTo(destination.Cb, 0);
        Cr.CopyTo(destination.Cr, 0);
    }

    /// <summary>Copies a rectangle (even coordinates and size, in luma samples) from <paramref name="source"/>.</summary>
    public void CopyRect(YuvFrame source, in PixelRect rect)
    {
        for (int y = rect.Y; y < rect.Bottom; y++)
            source.Luma.AsSpan(y * Width + rect.X, rect.Width).CopyTo(Luma.AsSpan(y * Width + rect.X));
        int cw = ChromaWidth;
        for (int y = rect.Y / 2; y < rect.Bottom / 2; y++)
        {
            source.Cb.AsSpan(y * cw + rect.X / 2, rect.Width / 2).CopyTo(Cb.AsSpan(y * cw + rect.X / 2));
            source.Cr.AsSpan(y * cw + rect.X / 2, rect.Width / 2).CopyTo(Cr.AsSpan(y * cw + rect.X / 2));
        }
    }

    public void FillRect(in PixelRect rect, byte y, byte cb, byte cr)
    {
        for (int row = rect.Y; row < rect.Bottom; row++)
            Luma.AsSpan(row * Width + rect.X, rect.Width).Fill(y);
        int cw = ChromaWidth;
        for (int row = rect.Y / 2; row < rect.Bottom / 2; row++)
        {
            Cb.AsSpan(row * cw + rect.X / 2, rect.Width / 2).Fill(cb);
            Cr.AsSpan(row * cw + rect.X / 2, rect.Width / 2).Fill(cr);
        }
    }

    /// <summary>Whether macroblock (mbX, mbY) holds the same samples in both frames.</summary>
    public bool MacroblockEquals(YuvFrame other, int mbX, int mbY)
    {
        int lumaOffset = mbY * 16 * Width + mbX * 16;
        for (int row = 0; row < 16; row++, lumaOffset += Width)
        {
            if (!Luma.AsSpan(lumaOffset, 16).SequenceEqual(other.Luma.AsSpan(lumaOffset, 16)))
                return false;
        }
        int cw = ChromaWidth;
        int chromaOffset = mbY * 8 * cw + mbX * 8;
        for (int row = 0; row < 8; row++, chromaOffset += cw)
        {
            if (!Cb.AsSpan(chromaOffset, 8).SequenceEqual(other.Cb.AsSpan(chromaOffset, 8))
                || !Cr.AsSpan(chromaOffset, 8).SequenceEqual(other.Cr.AsSpan(chromaOffset, 8)))
                return false;
        }
        return true;
    }

    public void CopyMacroblock(YuvFrame source, int mbX, int mbY) => CopyRect(source, new PixelRect(mbX * 16, mbY * 16, 16, 16));

    /// <summary>Writes the top-left <paramref name="width"/>×<paramref name="height"/> as tightly packed I420 (yuv420p).</summary>
    public void CopyDisplayTo(int width, int height, Span<byte> i420)
    {
        int needed = width * height * 3 / 2;
        if (i420.Length < needed)
            throw new ArgumentException($"Destination of {i420.Length} bytes is shorter than a {width}x{height} I420 picture ({needed}).", nameof(i420));
        for (int y = 0; y < height; y++)
            Luma.AsSpan(y * Width, width).CopyTo(i420.Slice(y * width));
        int offset = width * height;
        int cw = ChromaWidth;
        for (int y = 0; y < height / 2; y++)
            Cb.AsSpan(y * cw, width / 2).CopyTo(i420.Slice(offset + y * (width / 2)));
        offset += width * height / 4;
        for (int y = 0; y < height / 2; y++)
            Cr.AsSpan(y * cw, width / 2).CopyTo(i420.Slice(offset + y * (width / 2)));
    }
}

/// <summary>A rectangle in luma samples.</summary>
internal readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Bottom => Y + Height;
    public int Right => X + Width;
}
