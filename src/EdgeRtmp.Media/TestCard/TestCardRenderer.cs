namespace EdgeRtmp.Media.TestCard;

/// <summary>
/// Draws the test card: 75% colour bars over the top two thirds, a dark band below with the title, a clock
/// (HH:MM:SS.mmm of the timestamp given) and a frame counter, and a white box sweeping across the bars.
/// Everything is a function of (frame index, timestamp), so any frame can be re-rendered for comparison.
/// Samples use the limited range (16–235 luma), so I_PCM data never holds a zero byte.
/// </summary>
public sealed class TestCardRenderer
{
    // BT.601 limited-range 75% bars: white, yellow, cyan, green, magenta, red, blue (Y, Cb, Cr).
    private static ReadOnlySpan<byte> BarColours =>
    [
        180, 128, 128,
        162, 44, 142,
        131, 156, 44,
        112, 72, 58,
        84, 184, 198,
        65, 100, 212,
        35, 212, 114,
    ];

    private const byte BandLuma = 40;
    private const byte TextLuma = 235;
    private const byte BoxLuma = 235;
    private const byte Neutral = 128;
    private const int ClockCharacters = 12; // HH:MM:SS.mmm
    private const int CounterDigits = 8;
    private const string CounterLabel = "FRAME ";
    private const string Title = "EDGERTMP";

    private readonly YuvFrame _background;
    private readonly int _barsHeight;
    private readonly int _textScale;
    private readonly int _boxSize;
    private readonly int _boxY;
    private readonly int _sweepFrames;

    public TestCardRenderer(TestCardOptions options)
    {
        options.Validate();
        Options = options;
        Width = options.Width;
        Height = options.Height;
        WidthInMbs = (Width + 15) / 16;
        HeightInMbs = (Height + 15) / 16;
        _barsHeight = (Height * 2 / 3) & ~1;
        _textScale = Math.Max(1, Math.Min(Height / 180, Width / 160));
        _boxSize = Math.Min(24 * _textScale, _barsHeight / 2) & ~1;
        _boxY = ((_barsHeight - _boxSize) / 2) & ~1;
        _sweepFrames = 4 * options.FramesPerSecond;

        int margin = 4 * _textScale;
        TitleRect = new PixelRect(margin, _barsHeight + margin, Title.Length * BitmapFont.CellWidth * _textScale, BitmapFont.CellHeight * _textScale);
        ClockRect = new PixelRect(margin, TitleRect.Bottom + margin, ClockCharacters * BitmapFont.CellWidth * 2 * _textScale, BitmapFont.CellHeight * 2 * _textScale);
        CounterRect = new PixelRect(margin, ClockRect.Bottom + margin, (CounterLabel.Length + CounterDigits) * BitmapFont.CellWidth * _textScale, BitmapFont.CellHeight * _textScale);

        _background = new YuvFrame(WidthInMbs, HeightInMbs);
        DrawBackground(_background);
    }

    public TestCardOptions Options { get; }
    public int Width { get; }
    public int Height { get; }
    public int WidthInMbs { get; }
    public int HeightInMbs { get; }

    /// <summary>Bytes of one display-size I420 (yuv420p) picture.</summary>
    public int FrameSize => Width * Height * 3 / 2;

    internal PixelRect TitleRect { get; }
    internal PixelRect ClockRect { get; }
    internal PixelRect CounterRect { get; }

    /// <summary>
    /// Renders frame <paramref name="frameIndex"/> from scratch as tightly packed I420 of the display size. Allocates a
    /// working picture: meant for tests and snapshots; the encoder redraws only what changes in its own buffers.
    /// </summary>
    public void Render(long frameIndex, TimeSpan timestamp, Span<byte> i420)
    {
        var frame = new YuvFrame(WidthInMbs, HeightInMbs);
        RenderFull(frame, frameIndex, timestamp);
        frame.CopyDisplayTo(Width, Height, i420);
    }

    internal void RenderFull(YuvFrame frame, long frameIndex, TimeSpan timestamp)
    {
        _background.CopyTo(frame);
        DrawDynamic(frame, frameIndex, timestamp);
    }

    /// <summary>Where the sweeping box is in frame <paramref name="frameIndex"/>: there and back in 8 seconds.</summary>
    internal PixelRect GetBoxRect(long frameIndex)
    {
        long phase = frameIndex % (2L * _sweepFrames);
        if (phase < 0)
            phase += 2L * _sweepFrames;
        long position = phase < _sweepFrames ? phase : 2L * _sweepFrames - phase;
        int travel = Width - _boxSize;
        int x = (int)(position * travel / _sweepFrames) & ~1;
        return new PixelRect(x, _boxY, _boxSize, _boxSize);
    }

    internal void RestoreBackground(YuvFrame frame, in PixelRect rect) => frame.CopyRect(_background, rect);

    /// <summary>Draws what changes from frame to frame: the box, the clock and the counter.</summary>
    internal void DrawDynamic(YuvFrame frame, long frameIndex, TimeSpan timestamp)
    {
        PixelRect box = GetBoxRect(frameIndex);
        frame.FillRect(box, BoxLuma, Neutral, Neutral);
        int inset = (box.Width / 4) & ~1;
        frame.FillRect(new PixelRect(box.X + inset, box.Y + inset, box.Width - 2 * inset, box.Height - 2 * inset), 16, Neutral, Neutral);

        Span<char> text = stackalloc char[CounterLabel.Length + CounterDigits];
        FormatClock(timestamp, text.Slice(0, ClockCharacters));
        BitmapFont.Draw(frame.Luma, frame.Width, ClockRect.X, ClockRect.Y, 2 * _textScale, text.Slice(0, ClockCharacters), TextLuma, BandLuma);

        CounterLabel.CopyTo(text);
        long counter = frameIndex % 100_000_000;
        if (counter < 0)
            counter += 100_000_000;
        for (int i = text.Length - 1; i >= CounterLabel.Length; i--, counter /= 10)
            text[i] = (char)('0' + (int)(counter % 10));
        BitmapFont.Draw(frame.Luma, frame.Width, CounterRect.X, CounterRect.Y, _textScale, text, TextLuma, BandLuma);
    }

    private static void FormatClock(TimeSpan timestamp, Span<char> destination)
    {
        long totalMilliseconds = (long)Math.Abs(timestamp.TotalMilliseconds);
        int milliseconds = (int)(totalMilliseconds % 1000);
        long totalSeconds = totalMilliseconds / 1000;
        int seconds = (int)(totalSeconds % 60);
        int minutes = (int)(totalSeconds / 60 % 60);
        int hours = (int)(totalSeconds / 3600 % 100);
        WriteDigits(destination.Slice(0, 2), hours);
        destination[2] = ':';
        WriteDigits(destination.Slice(3, 2), minutes);
        destination[5] = ':';
        WriteDigits(destination.Slice(6, 2), seconds);
        destination[8] = '.';
        WriteDigits(destination.Slice(9, 3), milliseconds);
    }

    private static void WriteDigits(Span<char> destination, int value)
    {
        for (int i = destination.Length - 1; i >= 0; i--, value /= 10)
            destination[i] = (char)('0' + value % 10);
    }

    private void DrawBackground(YuvFrame frame)
    {
        // Padding below and right of the display area (cropped away by the SPS) is band-coloured too.
        frame.FillRect(new PixelRect(0, 0, frame.Width, frame.Height), BandLuma, Neutral, Neutral);
        for (int y = 0; y < _barsHeight; y++)
        {
            Span<byte> row = frame.Luma.AsSpan(y * frame.Width, Width);
            for (int x = 0; x < Width; x++)
                row[x] = BarColours[BarIndex(x) * 3];
        }
        int cw = frame.ChromaWidth;
        for (int y = 0; y < _barsHeight / 2; y++)
        {
            for (int x = 0; x < Width / 2; x++)
            {
                int bar = BarIndex(2 * x) * 3;
                frame.Cb[y * cw + x] = BarColours[bar + 1];
                frame.Cr[y * cw + x] = BarColours[bar + 2];
            }
        }
        BitmapFont.Draw(frame.Luma, frame.Width, TitleRect.X, TitleRect.Y, _textScale, Title, TextLuma, BandLuma);
    }

    private int BarIndex(int x) => x * 7 / Width;
}
