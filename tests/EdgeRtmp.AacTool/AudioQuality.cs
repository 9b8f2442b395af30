using System.Runtime.InteropServices;

/// <summary>
/// SNR and segmental SNR of a decoded stream against its source, both raw s16le with the same channels, the decoded
/// one shifted by the encoder delay. Segments are 20 ms; a segment's SNR is clamped to [−10, 60] dB and segments
/// where the source is below −60 dBFS (silence) are left out. A dropout is a segment whose decoded energy is 20 dB
/// below the source's; a click one whose error exceeds the source's energy by 10 dB.
/// </summary>
internal static class AudioQuality
{
    /// <summary><paramref name="delay"/> −1: the delay in 0..4096 that gives the best SNR over the first 2 s of sound.</summary>
    public static string Measure(string referencePath, string decodedPath, int channels, int sampleRate, int delay)
    {
        ReadOnlySpan<short> reference = MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(referencePath));
        ReadOnlySpan<short> decoded = MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(decodedPath));
        if (delay < 0)
            delay = FindDelay(reference, decoded, channels, sampleRate);
        int frames = Math.Min(reference.Length / channels, decoded.Length / channels - delay);
        int segment = sampleRate / 50;
        double silence = Math.Pow(32768 * Math.Pow(10, -60 / 20.0), 2);
        double signal = 0, noise = 0, segmentSum = 0;
        int segments = 0, dropouts = 0, clicks = 0;
        for (int start = 0; start + segment <= frames; start += segment)
        {
            double segmentSignal = 0, segmentNoise = 0, segmentDecoded = 0;
            for (int i = start * channels; i < (start + segment) * channels; i++)
            {
                double r = reference[i], d = decoded[i + delay * channels];
                segmentSignal += r * r;
                segmentNoise += (r - d) * (r - d);
                segmentDecoded += d * d;
            }
            signal += segmentSignal;
            noise += segmentNoise;
            if (segmentSignal / (segment * channels) < silence)
                continue;
            double snr = 10 * Math.Log10(segmentSignal / Math.Max(segmentNoise, 1e-9));
            segmentSum += Math.Clamp(snr, -10, 60);
            segments++;
            if (segmentDecoded < segmentSignal * 0.01)
                dropouts++;
            if (segmentNoise > segmentSignal * 10)
                clicks++;
        }
        double total = 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
        return FormattableString.Invariant(
            $"snr={total:F2} segsnr={segmentSum / Math.Max(segments, 1):F2} segments={segments} dropouts={dropouts} clicks={clicks} delay={delay}");
    }

    private static int FindDelay(ReadOnlySpan<short> reference, ReadOnlySpan<short> decoded, int channels, int sampleRate)
    {
        // Start where the reference has sound, so leading silence cannot match any delay.
        int start = 0;
        while (start < reference.Length / channels - 1 && Math.Abs((int)reference[start * channels]) < 64)
            start++;
        int length = Math.Min(2 * sampleRate, reference.Length / channels - start);
        int best = 0;
        double bestNoise = double.MaxValue;
        for (int delay = 0; delay <= 4096; delay++)
        {
            if ((start + delay + length) * channels > decoded.Length)
                break;
            double noise = 0;
            for (int i = start * channels; i < (start + length) * channels && noise < bestNoise; i++)
            {
                double difference = reference[i] - decoded[i + delay * channels];
                noise += difference * difference;
            }
            if (noise < bestNoise)
            {
                bestNoise = noise;
                best = delay;
            }
        }
        return best;
    }
}
