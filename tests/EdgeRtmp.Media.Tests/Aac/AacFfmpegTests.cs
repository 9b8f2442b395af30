using System.Buffers;
using System.Runtime.InteropServices;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Media.Tests.Aac;

/// <summary>FFmpeg decodes what we encode: every rate and channel count, silently, at the configured format and rate.</summary>
public sealed class AacFfmpegTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private short[] Decode(string path, int channels)
    {
        string raw = _directory.File(Path.GetFileName(path) + ".raw");
        var (exitCode, _, stderr) = Ffmpeg.Run("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", path, "-f", "s16le", "-ac", channels.ToString(), raw);
        Assert.True(exitCode == 0, $"ffmpeg failed: {stderr}");
        Assert.True(stderr.Length == 0, $"ffmpeg said: {stderr}");
        return MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(raw)).ToArray();
    }

    private static Dictionary<string, string> ProbeAudio(string path)
    {
        var (exitCode, stdout, stderr) = Ffmpeg.Run("ffprobe", "-v", "error", "-select_streams", "a:0",
            "-show_entries", "stream=codec_name,profile,sample_rate,channels", "-of", "default=noprint_wrappers=1", path);
        Assert.True(exitCode == 0, $"ffprobe failed: {stderr}");
        Assert.True(stderr.Length == 0, $"ffprobe said: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2)).Where(parts => parts.Length == 2).ToDictionary(parts => parts[0], parts => parts[1]);
    }

    [Theory]
    [InlineData(96000, 2, 256, 15)]
    [InlineData(88200, 1, 160, 15)]
    [InlineData(64000, 2, 192, 15)]
    [InlineData(48000, 2, 128, 18)]
    [InlineData(48000, 1, 64, 15)]
    [InlineData(48000, 2, 320, 25)]
    [InlineData(48000, 1, 32, 6)]
    [InlineData(44100, 2, 128, 18)]
    [InlineData(44100, 1, 64, 15)]
    [InlineData(32000, 2, 96, 15)]
    [InlineData(24000, 1, 48, 15)]
    [InlineData(22050, 2, 64, 12)]
    [InlineData(16000, 1, 32, 15)]
    [InlineData(12000, 1, 32, 15)]
    [InlineData(11025, 2, 32, 12)]
    [InlineData(8000, 1, 32, 15)]
    public void Ffmpeg_decodes_every_rate_silently_at_the_configured_format(int sampleRate, int channels, int bitrate, double minSnr)
    {
        var encoder = new AacEncoder(new AacEncoderOptions(sampleRate, channels, bitrate));
        short[] signal = AacTestSignals.MusicLike(sampleRate, channels, 2.0);
        string path = _directory.File($"{sampleRate}-{channels}.aac");
        File.WriteAllBytes(path, AacTestSignals.EncodeAdts(encoder, signal));

        Dictionary<string, string> stream = ProbeAudio(path);
        Assert.Equal("aac", stream["codec_name"]);
        Assert.Equal("LC", stream["profile"]);
        Assert.Equal(sampleRate.ToString(), stream["sample_rate"]);
        Assert.Equal(channels.ToString(), stream["channels"]);

        short[] decoded = Decode(path, channels);
        double snr = AacTestSignals.Snr(signal, decoded, channels, encoder.EncoderDelaySamples);
        Assert.True(snr >= minSnr, $"SNR {snr:F1} dB at {sampleRate} Hz, {channels} ch, {bitrate} kbit/s (want ≥ {minSnr})");
    }

    [Theory]
    [InlineData("silence", 1)]
    [InlineData("silence", 2)]
    [InlineData("dc", 2)]
    [InlineData("full-scale square", 1)]
    [InlineData("clipped noise", 2)]
    [InlineData("one channel silent", 2)]
    [InlineData("click train", 1)]
    public void Ffmpeg_decodes_extreme_input_silently(string kind, int channels)
    {
        var encoder = new AacEncoder(new AacEncoderOptions(48000, channels, 64 * channels));
        var random = new Random(5);
        var signal = new short[100 * AacEncoder.FrameSamples * channels];
        for (int i = 0; i < signal.Length; i++)
        {
            int sample = i / channels;
            signal[i] = kind switch
            {
                "silence" => 0,
                "dc" => -30000,
                "full-scale square" => (short)(sample / 24 % 2 == 0 ? 32767 : -32768),
                "clipped noise" => (short)Math.Clamp(random.NextDouble() * 200000 - 100000, -32768, 32767),
                "one channel silent" => i % 2 == 0 ? (short)(20000 * Math.Sin(sample * 0.07)) : (short)0,
                _ => (short)(sample % 4800 == 0 ? 32767 : 0),
            };
        }
        string path = _directory.File($"{kind.Replace(' ', '-')}-{channels}.aac");
        File.WriteAllBytes(path, AacTestSignals.EncodeAdts(encoder, signal));
        short[] decoded = Decode(path, channels);
        Assert.True(decoded.Length >= signal.Length, $"decoded {decoded.Length} samples of {signal.Length}");
        if (kind == "silence")
            Assert.All(decoded, sample => Assert.Equal(0, sample));
        if (kind is "one channel silent" or "full-scale square")
            Assert.True(AacTestSignals.Snr(signal, decoded, channels, encoder.EncoderDelaySamples) > 10);
    }

    [Fact]
    public void Mid_side_gives_a_dual_mono_pair_the_bits_of_one_channel()
    {
        // With L = R, S is silent: 128 kbit/s stereo should do about as well as 128 kbit/s mono, and clearly
        // better than 64 kbit/s mono (what coding L and R apart would amount to).
        // Twenty partials and a low-passed noise bed: nothing above the 20 kHz low-pass, so the rate alone sets the SNR.
        var random = new Random(4);
        var partials = Enumerable.Range(0, 20).Select(_ => (Frequency: 100 + random.NextDouble() * 7900, Amplitude: 300 + random.NextDouble() * 1500)).ToArray();
        var mono = new short[3 * 48000];
        double noise = 0;
        for (int i = 0; i < mono.Length; i++)
        {
            noise += 0.2 * ((random.NextDouble() * 2 - 1) * 3000 - noise);
            double value = noise;
            foreach (var (frequency, amplitude) in partials)
                value += amplitude * Math.Sin(2 * Math.PI * frequency * i / 48000);
            mono[i] = (short)Math.Clamp(value, -32768, 32767);
        }
        var dual = new short[mono.Length * 2];
        for (int i = 0; i < mono.Length; i++)
            dual[2 * i] = dual[2 * i + 1] = mono[i];
        double Snr(int channels, int bitrate, short[] signal)
        {
            var encoder = new AacEncoder(new AacEncoderOptions(48000, channels, bitrate));
            string path = _directory.File($"dual-{channels}-{bitrate}.aac");
            File.WriteAllBytes(path, AacTestSignals.EncodeAdts(encoder, signal));
            return AacTestSignals.Snr(signal, Decode(path, channels), channels, encoder.EncoderDelaySamples);
        }
        double stereo = Snr(2, 128, dual);
        double halfRate = Snr(1, 64, mono);
        Assert.True(stereo > halfRate + 3, $"dual mono at 128 kbit/s: {stereo:F1} dB; mono at 64 kbit/s: {halfRate:F1} dB");
    }

    [Fact]
    public void Short_windows_keep_pre_echo_out_of_the_quiet_before_an_attack()
    {
        // A quiet tone, then a loud noise burst (a clap) 700 samples into frame 20.
        const int onset = 20 * AacEncoder.FrameSamples + 700;
        var random = new Random(9);
        var signal = new short[40 * AacEncoder.FrameSamples];
        for (int i = 0; i < signal.Length; i++)
        {
            double tone = 300 * Math.Sin(2 * Math.PI * 440 * i / 48000.0);
            double clap = i >= onset ? 20000 * Math.Exp(-(i - onset) / 480.0) * (random.NextDouble() * 2 - 1) : 0;
            signal[i] = (short)Math.Clamp(tone + clap, -32768, 32767);
        }
        double PreEchoDb(bool blockSwitching)
        {
            var encoder = new AacEncoder(new AacEncoderOptions(48000, 1, 64)) { BlockSwitching = blockSwitching };
            string path = _directory.File($"clap-{blockSwitching}.aac");
            File.WriteAllBytes(path, AacTestSignals.EncodeAdts(encoder, signal));
            short[] decoded = Decode(path, 1);
            // Error energy from 21 ms to 5.3 ms before the onset (a short window reaches 256 samples back; so
            // does the ear's pre-masking, roughly), against the tone's energy there.
            double error = 0, tone = 0;
            for (int i = onset - 1024; i < onset - 256; i++)
            {
                double difference = decoded[i + encoder.EncoderDelaySamples] - signal[i];
                error += difference * difference;
                tone += (double)signal[i] * signal[i];
            }
            return 10 * Math.Log10(error / tone);
        }
        double withSwitching = PreEchoDb(true);
        double longOnly = PreEchoDb(false);
        Assert.True(withSwitching < -10, $"pre-echo {withSwitching:F1} dB against the tone with block switching ({longOnly:F1} dB with long windows only)");
        Assert.True(withSwitching < longOnly - 10, $"block switching: {withSwitching:F1} dB, long windows only: {longOnly:F1} dB");
    }

    [Theory]
    [InlineData(48000, 2)]
    [InlineData(44100, 1)]
    public void Ffprobe_reads_our_audio_specific_config_from_flv(int sampleRate, int channels)
    {
        var encoder = new AacEncoder(new AacEncoderOptions(sampleRate, channels, 64 * channels));
        short[] signal = AacTestSignals.Sine(sampleRate, channels, 1.0, 440, 0.3);
        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, hasAudio: true, hasVideo: false);
        byte[] tag = new byte[2 + encoder.MaxAccessUnitBytes];
        tag[0] = 0xAF;   // SoundFormat 10 (AAC), 44 kHz, 16-bit, stereo: fixed for AAC; the config says the rest
        tag[1] = 0;      // AAC sequence header
        encoder.AudioSpecificConfig.CopyTo(tag.AsSpan(2));
        FlvWriter.WriteTag(output, FlvTagType.Audio, 0, tag.AsSpan(0, 2 + encoder.AudioSpecificConfig.Length));
        int frameLength = AacEncoder.FrameSamples * channels;
        for (int f = 0; f + 1 <= signal.Length / frameLength; f++)
        {
            tag[1] = 1;  // raw AAC frame
            int length = encoder.Encode(signal.AsSpan(f * frameLength, frameLength), tag.AsSpan(2));
            FlvWriter.WriteTag(output, FlvTagType.Audio, (uint)(f * 1024L * 1000 / sampleRate), tag.AsSpan(0, 2 + length));
        }
        string path = _directory.File("asc.flv");
        File.WriteAllBytes(path, output.WrittenSpan.ToArray());

        Dictionary<string, string> stream = ProbeAudio(path);
        Assert.Equal("aac", stream["codec_name"]);
        Assert.Equal("LC", stream["profile"]);
        Assert.Equal(sampleRate.ToString(), stream["sample_rate"]);
        Assert.Equal(channels.ToString(), stream["channels"]);
        Decode(path, channels);
    }

    [Theory]
    [InlineData(2, 128)]
    [InlineData(1, 64)]
    public void Average_bitrate_over_30_seconds_is_within_5_percent(int channels, int bitrate)
    {
        var encoder = new AacEncoder(new AacEncoderOptions(48000, channels, bitrate));
        // Half music-like, half near-silence: the reservoir must neither starve nor overflow the rate.
        short[] music = AacTestSignals.MusicLike(48000, channels, 15.0);
        short[] signal = new short[music.Length * 2];
        music.CopyTo(signal, 0);
        for (int i = 0; i < music.Length; i++)
            signal[music.Length + i] = (short)(music[i] / 512);
        var sizes = new List<int>();
        string path = _directory.File("rate.aac");
        File.WriteAllBytes(path, AacTestSignals.EncodeAdts(encoder, signal, sizes));
        double kbps = sizes.Sum() * 8.0 / (sizes.Count * 1024.0 / 48000) / 1000;
        Assert.InRange(kbps, bitrate * 0.95, bitrate * 1.05);
        Decode(path, channels);
    }
}
