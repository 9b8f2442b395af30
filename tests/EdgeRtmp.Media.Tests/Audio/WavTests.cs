using System.Buffers.Binary;
using EdgeRtmp.Media.Wav;

namespace EdgeRtmp.Media.Tests.Audio;

public sealed class WavTests
{
    [Fact]
    public void ParsesPcmWithChunksBeforeTheData()
    {
        byte[] wav = Wav(48_000, 2, 16, 100, extraChunk: true);
        var format = WavFormat.Parse(wav, wav.Length);
        Assert.Equal(48_000, format.SampleRate);
        Assert.Equal(2, format.Channels);
        Assert.Equal(100, format.Frames);
        Assert.Equal(wav.Length - 400, format.DataOffset);
    }

    [Fact]
    public void AnUnfinishedDataLengthMeansToTheEnd()
    {
        byte[] wav = Wav(44_100, 1, 16, 50);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), 0xFFFFFFFF);
        Assert.Equal(50, WavFormat.Parse(wav, wav.Length).Frames);
    }

    [Theory]
    [InlineData("RIFX", 16, 1, "not a WAV file")]
    [InlineData("RIFF", 24, 1, "24-bit")]
    [InlineData("RIFF", 16, 3, "3 channels")]
    public void RejectsWhatWeCannotPlayNamingWhy(string magic, int bits, int channels, string expected)
    {
        byte[] wav = Wav(48_000, channels, bits, 10);
        "RIFF"u8.CopyTo(wav);
        System.Text.Encoding.ASCII.GetBytes(magic).CopyTo(wav, 0);
        var error = Assert.Throws<MediaFormatException>(() => WavFormat.Parse(wav, wav.Length));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatSamplesAreRefused()
    {
        byte[] wav = Wav(48_000, 1, 16, 10);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(20), 3);
        var error = Assert.Throws<MediaFormatException>(() => WavFormat.Parse(wav, wav.Length));
        Assert.Contains("not integer PCM", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoopsWithoutASeam()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgertmp-loop-{Guid.NewGuid()}.wav");
        File.WriteAllBytes(path, Wav(48_000, 2, 16, 1000));
        try
        {
            using var reader = WavLoopReader.Create(File.OpenHandle(path), path);
            var buffer = new short[1024 * 2];
            int expected = 0;
            for (int read = 0; read < 5; read++)
            {
                reader.Read(buffer);
                for (int i = 0; i < 1024; i++)
                {
                    Assert.Equal((short)expected, buffer[i * 2]);
                    Assert.Equal((short)-expected, buffer[(i * 2) + 1]);
                    expected = (expected + 1) % 1000;
                }
            }

            Assert.Equal(5, reader.Loops);
            long before = GC.GetAllocatedBytesForCurrentThread();
            reader.Read(buffer);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OpenNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgertmp-bad-{Guid.NewGuid()}.wav");
        File.WriteAllBytes(path, new byte[100]);
        try
        {
            using var file = File.OpenHandle(path);
            var error = Assert.Throws<MediaFormatException>(() => WavLoopReader.Create(file, path));
            Assert.StartsWith(path + ": not a WAV file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A WAV whose frame n is (n, −n) per channel; 16-bit unless <paramref name="bits"/> says otherwise.</summary>
    internal static byte[] Wav(int rate, int channels, int bits, int frames, bool extraChunk = false)
    {
        int blockAlign = channels * bits / 8;
        int dataLength = frames * blockAlign;
        var stream = new MemoryStream();
        var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(0);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write((ushort)1);
        writer.Write((ushort)channels);
        writer.Write(rate);
        writer.Write(rate * blockAlign);
        writer.Write((ushort)blockAlign);
        writer.Write((ushort)bits);
        if (extraChunk)
        {
            writer.Write("LIST"u8);
            writer.Write(5);
            writer.Write("INFOx\0"u8);
        }

        writer.Write("data"u8);
        writer.Write(dataLength);
        for (int n = 0; n < frames; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                if (bits == 16)
                {
                    writer.Write((short)(c == 0 ? n : -n));
                }
                else
                {
                    writer.Write(new byte[bits / 8]);
                }
            }
        }

        byte[] bytes = stream.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }
}
