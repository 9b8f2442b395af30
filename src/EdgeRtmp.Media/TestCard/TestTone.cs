namespace EdgeRtmp.Media.TestCard;

/// <summary>
/// The test card's sound: a quiet 440 Hz tone with a louder 1 kHz beep for the first 100 ms of every second, so a
/// viewer hears that the stream is live and can check lip sync against the picture's seconds. Every sample is a pure
/// function of its index from the start (phase-continuous across calls, whatever their sizes); the beep fades in and
/// out over 5 ms so it does not click. Allocation-free.
/// </summary>
public sealed class TestTone
{
    public const int ToneHz = 440;
    public const int BeepHz = 1000;
    public static readonly TimeSpan BeepLength = TimeSpan.FromMilliseconds(100);

    /// <summary>−20 dBFS for the tone, −8 dBFS for the beep.</summary>
    private const double ToneAmplitude = 0.1 * short.MaxValue;
    private const double BeepAmplitude = 0.4 * short.MaxValue;

    private readonly int _beepSamples;
    private readonly int _fadeSamples;

    public TestTone(int sampleRate, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        SampleRate = sampleRate;
        Channels = channels;
        _beepSamples = (int)(sampleRate * BeepLength.TotalSeconds);
        _fadeSamples = sampleRate / 200;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Fills <paramref name="interleaved"/> with the frames that start at <paramref name="firstFrame"/> (same value on every channel).</summary>
    public void Fill(Span<short> interleaved, long firstFrame)
    {
        int frames = interleaved.Length / Channels;
        for (int i = 0; i < frames; i++)
        {
            // Both frequencies are whole hertz, so their phase repeats every second: index within the second keeps it exact forever.
            int inSecond = (int)((firstFrame + i) % SampleRate);
            double value;
            if (inSecond < _beepSamples)
            {
                double fade = Math.Min(1, Math.Min(inSecond, _beepSamples - inSecond) / (double)_fadeSamples);
                double beep = Math.Sin(2 * Math.PI * BeepHz * inSecond / SampleRate);
                double tone = Math.Sin(2 * Math.PI * ToneHz * inSecond / SampleRate);
                value = (fade * BeepAmplitude * beep) + ((1 - fade) * ToneAmplitude * tone);
            }
            else
            {
                value = ToneAmplitude * Math.Sin(2 * Math.PI * ToneHz * inSecond / SampleRate);
            }

            short sample = (short)Math.Round(value);
            for (int c = 0; c < Channels; c++)
            {
                interleaved[(i * Channels) + c] = sample;
            }
        }
    }
}
