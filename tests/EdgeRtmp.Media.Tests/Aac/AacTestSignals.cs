using EdgeRtmp.Media.Aac;

namespace EdgeRtmp.Media.Tests.Aac;

/// <summary>Test signals as interleaved S16, and the encoder run over them into ADTS.</summary>
internal static class AacTestSignals
{
    /// <summary>Chords with different notes left and right, a noise bed and decaying noise bursts every half second.</summary>
    public static short[] MusicLike(int sampleRate, int channels, double seconds, int seed = 1)
    {
        int frames = (int)(sampleRate * seconds);
        var samples = new short[frames * channels];
        var random = new Random(seed);
        for (int i = 0; i < frames; i++)
        {
            double t = (double)i / sampleRate;
            double burst = Math.Exp(-40 * (t % 0.5)) * (random.NextDouble() - 0.5);
            for (int c = 0; c < channels; c++)
            {
                double root = c == 0 ? 261.63 : 220;
                double value = 0.16 * Math.Sin(2 * Math.PI * root * t)
                    + 0.12 * Math.Sin(2 * Math.PI * root * 1.26 * t)
                    + 0.10 * Math.Sin(2 * Math.PI * root * 1.5 * t)
                    + 0.01 * (random.NextDouble() - 0.5)
                    + 0.4 * burst;
                samples[i * channels + c] = (short)Math.Clamp(value * 32767, -32768, 32767);
            }
        }
        return samples;
    }

    public static short[] Sine(int sampleRate, int channels, double seconds, double frequency, double amplitude)
    {
        int frames = (int)(sampleRate * seconds);
        var samples = new short[frames * channels];
        for (int i = 0; i < frames; i++)
            for (int c = 0; c < channels; c++)
                samples[i * channels + c] = (short)Math.Round(amplitude * 32767 * Math.Sin(2 * Math.PI * frequency * (c + 1) * i / sampleRate));
        return samples;
    }

    /// <summary>Encodes whole frames (zero-padded, plus two frames to flush the delay) into an ADTS byte stream.</summary>
    public static byte[] EncodeAdts(AacEncoder encoder, ReadOnlySpan<short> samples, List<int>? accessUnitSizes = null)
    {
        int channels = encoder.Options.Channels;
        int frameLength = AacEncoder.FrameSamples * channels;
        int frames = (samples.Length + frameLength - 1) / frameLength + 2;
        var padded = new short[frames * frameLength];
        samples.CopyTo(padded);
        var output = new MemoryStream();
        var accessUnit = new byte[AdtsHeader.Length + encoder.MaxAccessUnitBytes];
        AudioSpecificConfig config = AudioSpecificConfig.Read(encoder.AudioSpecificConfig);
        for (int f = 0; f < frames; f++)
        {
            int length = encoder.Encode(padded.AsSpan(f * frameLength, frameLength), accessUnit.AsSpan(AdtsHeader.Length));
            Assert.InRange(length, 1, encoder.MaxAccessUnitBytes);
            accessUnitSizes?.Add(length);
            AdtsHeader.Write(accessUnit, config, length);
            output.Write(accessUnit, 0, AdtsHeader.Length + length);
        }
        return output.ToArray();
    }

    /// <summary>SNR in dB of <paramref name="decoded"/> against <paramref name="reference"/> shifted by the delay.</summary>
    public static double Snr(ReadOnlySpan<short> reference, ReadOnlySpan<short> decoded, int channels, int delay)
    {
        double signal = 0, noise = 0;
        int frames = Math.Min(reference.Length / channels, decoded.Length / channels - delay);
        for (int i = 0; i < frames * channels; i++)
        {
            double r = reference[i], d = decoded[i + delay * channels];
            signal += r * r;
            noise += (r - d) * (r - d);
        }
        return 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
    }
}
