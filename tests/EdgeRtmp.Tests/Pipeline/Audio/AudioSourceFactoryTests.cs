using EdgeRtmp.Configuration;
using EdgeRtmp.Devices.Alsa;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Audio;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Pipeline.Audio;

public sealed class AudioSourceFactoryTests
{
    private static readonly AacEncoderOptions s_encoder = new(48_000, 1, 96);
    private static readonly AlsaCaptureDevice s_usbMic = new("plughw:CARD=Device,DEV=0", 1, "Device", 0, "USB Audio");

    [Fact]
    public void Auto_takes_the_configured_device_when_it_opens()
    {
        var choice = AudioSourceFactory.Auto(new AudioOptions { Device = "default" }, s_encoder, new PipelineClock(), NullLogger.Instance, true, [s_usbMic], _ => true);
        var alsa = Assert.IsType<AlsaAudioSource>(choice.Source);
        Assert.Equal("default", alsa.Device);
        Assert.Contains("'default' opens", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_takes_the_first_capture_device_when_the_configured_one_does_not_open()
    {
        var choice = AudioSourceFactory.Auto(new AudioOptions { Device = "default" }, s_encoder, new PipelineClock(), NullLogger.Instance, true, [s_usbMic], _ => false);
        Assert.Equal("plughw:CARD=Device,DEV=0", Assert.IsType<AlsaAudioSource>(choice.Source).Device);
        Assert.Contains("USB Audio", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_without_a_capture_device_is_the_tone_with_the_test_card_else_nothing()
    {
        var withTestCard = AudioSourceFactory.Auto(new AudioOptions(), s_encoder, new PipelineClock(), NullLogger.Instance, true, [], _ => true);
        Assert.Equal("tone 440 Hz", Assert.IsType<PacedAudioSource>(withTestCard.Source).Description);
        Assert.Contains("no capture device", withTestCard.Reason, StringComparison.Ordinal);

        var withCamera = AudioSourceFactory.Auto(new AudioOptions(), s_encoder, new PipelineClock(), NullLogger.Instance, false, [], _ => true);
        Assert.Null(withCamera.Source);
        Assert.Contains("no audio", withCamera.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wav_file_plays_at_its_own_rate_and_channels()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgertmp-source-{Guid.NewGuid()}.wav");
        File.WriteAllBytes(path, Wav(44_100, 2, 44_100 / 2));
        try
        {
            var clock = new PipelineClock();
            var choice = AudioSourceFactory.Create(Settings("file:" + path), clock, NullLoggerFactory.Instance, videoIsTestCard: true);
            var source = Assert.IsType<PacedAudioSource>(choice.Source);
            Assert.Equal(new AacEncoderOptions(44_100, 2, 96), source.Encoder);

            var sink = new AudioSink(clock, 30);
            using var stop = new CancellationTokenSource();
            Task run = source.RunAsync(sink, stop.Token);
            await sink.Enough.WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
            // 44.1 kHz stereo AAC-LC: 00010 0100 0010 000 = 0x12 0x10.
            Assert.Equal(new byte[] { 0xAF, 0x00, 0x12, 0x10 }, sink.Frames.First(f => f.Flags == EdgeRtmp.Media.MediaFrameFlags.SequenceHeader).Payload);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_wav_is_refused_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgertmp-source-{Guid.NewGuid()}.wav");
        File.WriteAllText(path, "not a wav at all, but long enough to look at");
        try
        {
            var error = Assert.Throws<MediaSourceException>(() => AudioSourceFactory.Create(Settings("file:" + path), new PipelineClock(), NullLoggerFactory.Instance, true));
            Assert.Contains(path + ": not a WAV file", error.Message, StringComparison.Ordinal);

            var missing = Assert.Throws<MediaSourceException>(() => AudioSourceFactory.Create(Settings("file:/nonexistent/x.wav"), new PipelineClock(), NullLoggerFactory.Instance, true));
            Assert.Contains("/nonexistent/x.wav", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static AppSettings Settings(string audioSource)
    {
        Assert.True(AudioSourceSpec.TryParse(audioSource, out var spec, out var error), error);
        var options = new EdgeRtmpOptions();
        return new AppSettings(options, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1935), [], VideoSourceSpec.Auto, spec, null, []);
    }

    /// <summary>A 16-bit PCM WAV of a 440 Hz sine.</summary>
    internal static byte[] Wav(int rate, int channels, int frames)
    {
        var stream = new MemoryStream();
        var writer = new BinaryWriter(stream);
        int dataLength = frames * channels * 2;
        writer.Write("RIFF"u8);
        writer.Write(36 + dataLength);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((ushort)1);
        writer.Write((ushort)channels);
        writer.Write(rate);
        writer.Write(rate * channels * 2);
        writer.Write((ushort)(channels * 2));
        writer.Write((ushort)16);
        writer.Write("data"u8);
        writer.Write(dataLength);
        for (int n = 0; n < frames; n++)
        {
            short value = (short)(8000 * Math.Sin(2 * Math.PI * 440 * n / rate));
            for (int c = 0; c < channels; c++)
            {
                writer.Write(value);
            }
        }

        return stream.ToArray();
    }
}
