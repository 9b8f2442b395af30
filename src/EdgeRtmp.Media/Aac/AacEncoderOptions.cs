namespace EdgeRtmp.Media.Aac;

/// <summary>
/// What the AAC-LC encoder makes: the sampling rate (one of the standard's 13 rates), 1 or 2 channels and the
/// average bitrate in kbit/s (32 to 320, and at most the 6144 bits per channel per frame that ISO/IEC 14496-3
/// 4.5.3.2 allows a decoder's input buffer to hold).
/// </summary>
public sealed record AacEncoderOptions(int SampleRate = 48000, int Channels = 2, int BitrateKbps = 128)
{
    public const int MinBitrateKbps = 32;
    public const int MaxBitrateKbps = 320;

    /// <summary>Throws <see cref="ArgumentException"/> naming the field and the value when the options are out of range.</summary>
    public void Validate()
    {
        if (AacSampleRates.IndexOf(SampleRate) < 0)
            throw new ArgumentException(
                $"AAC SampleRate {SampleRate} Hz is not a standard AAC rate; use one of {string.Join(", ", AacSampleRates.Rates.ToArray())}.",
                nameof(SampleRate));
        if (Channels is not (1 or 2))
            throw new ArgumentException($"AAC Channels {Channels} is not supported; use 1 (mono) or 2 (stereo).", nameof(Channels));
        if (BitrateKbps is < MinBitrateKbps or > MaxBitrateKbps)
            throw new ArgumentException(
                $"AAC BitrateKbps {BitrateKbps} is out of range; use {MinBitrateKbps} to {MaxBitrateKbps}.", nameof(BitrateKbps));
        long maxKbps = 6144L * Channels * SampleRate / AacEncoder.FrameSamples / 1000;
        if (BitrateKbps > maxKbps)
            throw new ArgumentException(
                $"AAC BitrateKbps {BitrateKbps} is above the {maxKbps} kbit/s that {Channels} channel(s) at {SampleRate} Hz can carry (6144 bits per channel per frame).",
                nameof(BitrateKbps));
        // Below about 0.25 bit per sample per channel there is nothing left for the spectrum at high rates.
        long minKbps = (long)Channels * SampleRate / 4000;
        if (BitrateKbps < minKbps)
            throw new ArgumentException(
                $"AAC BitrateKbps {BitrateKbps} is below the {minKbps} kbit/s we need for {Channels} channel(s) at {SampleRate} Hz.",
                nameof(BitrateKbps));
    }
}
