namespace EdgeRtmp.Media.TestCard;

/// <summary>
/// A 5×7 pixel font for the test card's clock, counter and title. Each glyph is 7 rows, one byte a row,
/// the low 5 bits the pixels with bit 4 the leftmost. A character cell is 6×8 to leave a gap.
/// </summary>
internal static class BitmapFont
{
    public const int GlyphWidth = 5;
    public const int GlyphHeight = 7;
    public const int CellWidth = 6;
    public const int CellHeight = 8;

    private const string Characters = "0123456789:. ADEFGMPRT";

    private static ReadOnlySpan<byte> Glyphs =>
    [
        0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E, // 0
        0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E, // 1
        0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F, // 2
        0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E, // 3
        0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02, // 4
        0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E, // 5
        0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E, // 6
        0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, // 7
        0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E, // 8
        0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C, // 9
        0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00, // :
        0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C, // .
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // space
        0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, // A
        0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E, // D
        0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F, // E
        0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10, // F
        0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F, // G
        0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11, // M
        0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10, // P
        0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11, // R
        0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, // T
    ];

    /// <summary>The rows of <paramref name="character"/>; unknown characters draw as a space.</summary>
    public static ReadOnlySpan<byte> GetGlyph(char character)
    {
        int index = Characters.IndexOf(character);
        if (index < 0)
            index = Characters.IndexOf(' ');
        return Glyphs.Slice(index * GlyphHeight, GlyphHeight);
    }

    /// <summary>
    /// Draws <paramref name="text"/> into a luma plane: set pixels get <paramref name="ink"/>, the rest of each
    /// cell <paramref name="paper"/>, so redrawing fully replaces what was there.
    /// </summary>
    public static void Draw(Span<byte> luma, int stride, int x, int y, int scale, ReadOnlySpan<char> text, byte ink, byte paper)
    {
        for (int c = 0; c < text.Length; c++)
        {
            ReadOnlySpan<byte> glyph = GetGlyph(text[c]);
            int cellX = x + c * CellWidth * scale;
            for (int row = 0; row < CellHeight; row++)
            {
                int bits = row < GlyphHeight ? glyph[row] : 0;
                for (int sy = 0; sy < scale; sy++)
                {
                    Span<byte> line = luma.Slice((y + row * scale + sy) * stride + cellX, CellWidth * scale);
                    for (int column = 0; column < CellWidth; column++)
                    {
                        bool set = column < GlyphWidth && (bits & (0x10 >> column)) != 0;
                        line.Slice(column * scale, scale).Fill(set ? ink : paper);
                    }
                }
            }
        }
    }
}
