namespace EdgeRtmp.Box.Tests.Support;

/// <summary>WAV files the tests play into the box's sound card (the box tests reference none of our projects).</summary>
internal static class Wave
{
    /// <summary>
    /// A 16-bit PCM WAV of <paramref name="frames"/> frames; <paramref name="sample"/> gives frame n's sample, the
    /// same on every channel.
    /// </summary>
    public static byte[] Pcm16(int rate, int channels, int frames, Func<int, short> sample)
    {
        int blockAlign = channels * 2;
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(36 + (frames * blockAlign));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)channels);
        writer.Write(rate);
        writer.Write(rate * blockAlign);
        writer.Write((short)blockAlign);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(frames * blockAlign);
        for (int frame = 0; frame < frames; frame++)
        {
            short value = sample(frame);
            for (int channel = 0; channel < channels; channel++)
            {
                writer.Write(value);
            }
        }

        writer.Flush();
        return stream.ToArray();
    }
}
