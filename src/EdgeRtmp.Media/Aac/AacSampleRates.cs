namespace EdgeRtmp.Media.Aac;

/// <summary>
/// The sampling frequency index of ISO/IEC 14496-3 table 1.18 (AudioSpecificConfig, ADTS), and the scalefactor
/// band tables that go with each rate (tables 4.129 to 4.147: swb_offset_long_window / swb_offset_short_window),
/// kept as band widths so that each row visibly sums to 1024 or 128.
/// </summary>
public static class AacSampleRates
{
    private static ReadOnlySpan<int> RateTable => [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    /// <summary>The rates of indices 0 to 12; 13 and 14 are reserved, 15 means an explicit 24-bit rate follows.</summary>
    public static ReadOnlySpan<int> Rates => RateTable;

    /// <summary>The sampling_frequency_index of a rate, or −1 when the rate has none.</summary>
    public static int IndexOf(int sampleRate) => RateTable.IndexOf(sampleRate);

    // Long-window band widths, 1024 lines, by table family.
    private static ReadOnlySpan<byte> LongWidths96 =>
    [
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 8, 8, 8, 12, 12, 12, 12, 12, 16, 16, 24, 28,
        36, 44, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    ];

    private static ReadOnlySpan<byte> LongWidths64 =>
    [
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 16, 16, 16, 20, 24, 24, 28,
        36, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40,
    ];

    private static ReadOnlySpan<byte> LongWidths48 =>
    [
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 12, 12, 12, 12, 16, 16, 20, 20, 24, 24, 28, 28,
        32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 96,
    ];

    private static ReadOnlySpan<byte> LongWidths32 =>
    [
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 12, 12, 12, 12, 16, 16, 20, 20, 24, 24, 28,
        28, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
    ];

    private static ReadOnlySpan<byte> LongWidths24 =>
    [
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 12, 12, 12, 12, 16, 16, 16, 20,
        20, 24, 24, 28, 28, 32, 36, 36, 40, 44, 48, 52, 52, 64, 64, 64, 64, 64,
    ];

    private static ReadOnlySpan<byte> LongWidths16 =>
    [
        8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 12, 12, 12, 12, 12, 12, 12, 12, 12, 16, 16, 16, 16, 20, 20, 20,
        24, 24, 28, 28, 32, 36, 40, 40, 44, 48, 52, 56, 60, 64, 64, 64,
    ];

    private static ReadOnlySpan<byte> LongWidths8 =>
    [
        12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 16, 16, 16, 16, 16, 16, 16, 20, 20, 20, 20,
        24, 24, 24, 28, 28, 32, 36, 36, 40, 44, 48, 52, 56, 60, 64, 80,
    ];

    // Short-window band widths, 128 lines.
    private static ReadOnlySpan<byte> ShortWidths96 => [4, 4, 4, 4, 4, 4, 8, 8, 8, 16, 28, 36];
    private static ReadOnlySpan<byte> ShortWidths48 => [4, 4, 4, 4, 4, 8, 8, 8, 12, 12, 12, 16, 16, 16];
    private static ReadOnlySpan<byte> ShortWidths24 => [4, 4, 4, 4, 4, 4, 4, 8, 8, 8, 12, 12, 16, 16, 20];
    private static ReadOnlySpan<byte> ShortWidths16 => [4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 12, 12, 16, 20, 20];
    private static ReadOnlySpan<byte> ShortWidths8 => [4, 4, 4, 4, 4, 4, 4, 8, 8, 8, 8, 12, 16, 20, 20];

    /// <summary>Widths of the long-window scalefactor bands (num_swb_long_window of them) for a sampling frequency index.</summary>
    public static ReadOnlySpan<byte> LongBandWidths(int sampleRateIndex) => sampleRateIndex switch
    {
        0 or 1 => LongWidths96,
        2 => LongWidths64,
        3 or 4 => LongWidths48,
        5 => LongWidths32,
        6 or 7 => LongWidths24,
        8 or 9 or 10 => LongWidths16,
        11 or 12 => LongWidths8,
        _ => throw new ArgumentOutOfRangeException(nameof(sampleRateIndex), sampleRateIndex, "Sampling frequency indices are 0 to 12."),
    };

    /// <summary>Widths of the short-window scalefactor bands (num_swb_short_window of them) for a sampling frequency index.</summary>
    public static ReadOnlySpan<byte> ShortBandWidths(int sampleRateIndex) => sampleRateIndex switch
    {
        0 or 1 or 2 => ShortWidths96,
        3 or 4 or 5 => ShortWidths48,
        6 or 7 => ShortWidths24,
        8 or 9 or 10 => ShortWidths16,
        11 or 12 => ShortWidths8,
        _ => throw new ArgumentOutOfRangeException(nameof(sampleRateIndex), sampleRateIndex, "Sampling frequency indices are 0 to 12."),
    };
}
