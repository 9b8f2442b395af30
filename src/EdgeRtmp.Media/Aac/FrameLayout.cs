namespace EdgeRtmp.Media.Aac;

/// <summary>
/// The scalefactor bands of one frame in the order the bitstream codes them. A long frame is one group of one
/// window; an EIGHT_SHORT frame has window groups (scale_factor_grouping), and its spectrum is laid out group by
/// group, band by band, window by window (4.6.3.3, the order of spectral_data), so that every (group, band) is one
/// contiguous run of lines like a long band.
/// </summary>
internal sealed class FrameLayout
{
    public const int MaxGroups = 8;
    public const int MaxBands = 8 * 15 + 1;

    private readonly int[] _swbOffsets;
    private readonly int[] _groupLengths = new int[MaxGroups];
    private readonly int[] _bandStarts = new int[MaxBands];
    private readonly int[] _bandWidths = new int[MaxBands];

    private FrameLayout(ReadOnlySpan<byte> widths, bool isShort)
    {
        IsShort = isShort;
        SwbCount = widths.Length;
        _swbOffsets = new int[widths.Length + 1];
        for (int b = 0; b < widths.Length; b++)
            _swbOffsets[b + 1] = _swbOffsets[b] + widths[b];
        SetGrouping(0);
    }

    public static FrameLayout Long(ReadOnlySpan<byte> widths) => new(widths, isShort: false);

    public static FrameLayout Short(ReadOnlySpan<byte> widths) => new(widths, isShort: true);

    public bool IsShort { get; }

    public int SwbCount { get; }

    public int GroupCount { get; private set; }

    /// <summary>The 7 bits of scale_factor_grouping: bit 6 − w set when window w + 1 joins window w's group.</summary>
    public int Grouping { get; private set; }

    public int BandCount => GroupCount * SwbCount;

    public ReadOnlySpan<int> SwbOffsets => _swbOffsets;

    public int GroupLength(int group) => _groupLengths[group];

    /// <summary>Band b = group · SwbCount + sfb: its first line in the ordered spectrum.</summary>
    public int BandStart(int band) => _bandStarts[band];

    public int BandWidth(int band) => _bandWidths[band];

    public void SetGrouping(int grouping)
    {
        if (!IsShort)
        {
            GroupCount = 1;
            _groupLengths[0] = 1;
        }
        else
        {
            Grouping = grouping & 0x7F;
            GroupCount = 1;
            _groupLengths[0] = 1;
            for (int w = 1; w < 8; w++)
            {
                if ((Grouping & (1 << (7 - w))) != 0)
                    _groupLengths[GroupCount - 1]++;
                else
                    _groupLengths[GroupCount++] = 1;
            }
        }
        int position = 0;
        for (int g = 0; g < GroupCount; g++)
        {
            for (int sfb = 0; sfb < SwbCount; sfb++)
            {
                int band = g * SwbCount + sfb;
                int width = (_swbOffsets[sfb + 1] - _swbOffsets[sfb]) * _groupLengths[g];
                _bandStarts[band] = position;
                _bandWidths[band] = width;
                position += width;
            }
        }
    }

    /// <summary>Reorders eight windows of 128 lines (window-major) into band order.</summary>
    public void Interleave(ReadOnlySpan<float> windows, Span<float> ordered)
    {
        int position = 0;
        int firstWindow = 0;
        for (int g = 0; g < GroupCount; g++)
        {
            int length = _groupLengths[g];
            for (int sfb = 0; sfb < SwbCount; sfb++)
            {
                int start = _swbOffsets[sfb];
                int width = _swbOffsets[sfb + 1] - start;
                for (int w = 0; w < length; w++)
                {
                    windows.Slice((firstWindow + w) * 128 + start, width).CopyTo(ordered.Slice(position, width));
                    position += width;
                }
            }
            firstWindow += length;
        }
    }
}
