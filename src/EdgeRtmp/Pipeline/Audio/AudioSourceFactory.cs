using EdgeRtmp.Configuration;
using EdgeRtmp.Devices;
using EdgeRtmp.Devices.Alsa;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Media.Wav;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Audio;

/// <summary>The source <c>Audio:Source</c> asks for (null: no audio), and why (logged once at start).</summary>
public sealed record AudioSourceChoice(IMediaSource? Source, string Reason);

/// <summary>
/// Makes the configured audio source. <c>auto</c> takes the configured capture device (<c>Audio:Device</c>, "default")
/// when the machine has a sound card with a capture device and it opens, else the first capture device the kernel
/// lists, else the test tone when the video is the test card, else no audio; the reason says which.
/// A source that cannot work (a WAV we cannot read) throws <see cref="MediaSourceException"/>: never a fake.
/// </summary>
public static class AudioSourceFactory
{
    public static AudioSourceChoice Create(AppSettings settings, PipelineClock clock, ILoggerFactory loggerFactory, bool videoIsTestCard)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        AudioOptions audio = settings.Options.Audio;
        var encoder = new AacEncoderOptions(audio.SampleRate, audio.Channels, audio.BitrateKbps);
        ILogger logger = loggerFactory.CreateLogger("EdgeRtmp.Pipeline.Audio");
        AudioSourceChoice choice = settings.Audio.Kind switch
        {
            AudioSourceKind.None => new AudioSourceChoice(null, "Audio:Source is none"),
            AudioSourceKind.Tone => new AudioSourceChoice(CreateTone(encoder, clock), "Audio:Source is tone"),
            AudioSourceKind.Alsa => new AudioSourceChoice(new AlsaAudioSource(settings.Audio.Device!, encoder, clock, logger), "Audio:Source is alsa"),
            AudioSourceKind.File => new AudioSourceChoice(CreateFile(settings.Audio.Device!, audio.BitrateKbps, clock, logger), "Audio:Source is file"),
            AudioSourceKind.Exec => new AudioSourceChoice(new ExecAudioSource(settings.Audio.Device!, clock, logger), "Audio:Source is exec"),
            _ => Auto(audio, encoder, clock, logger, videoIsTestCard, AlsaDevices.ListCapture()),
        };
        AudioLog.SourceChosen(logger, choice.Source?.Description ?? "none", choice.Reason);
        return choice;
    }

    /// <summary>The <c>auto</c> decision over the capture devices found (a parameter, so tests decide what exists).</summary>
    internal static AudioSourceChoice Auto(
        AudioOptions audio,
        AacEncoderOptions encoder,
        PipelineClock clock,
        ILogger logger,
        bool videoIsTestCard,
        IReadOnlyList<AlsaCaptureDevice> captureDevices,
        Func<string, bool>? opens = null)
    {
        opens ??= CanOpen;
        if (captureDevices.Count > 0)
        {
            if (opens(audio.Device))
            {
                return new AudioSourceChoice(
                    new AlsaAudioSource(audio.Device, encoder, clock, logger),
                    $"auto: capture device '{audio.Device}' opens ({captureDevices.Count} capture device(s) found)");
            }

            AlsaCaptureDevice first = captureDevices[0];
            return new AudioSourceChoice(
                new AlsaAudioSource(first.Name, encoder, clock, logger),
                $"auto: '{audio.Device}' does not open for capture, so the first capture device, {first.Description}");
        }

        return videoIsTestCard
            ? new AudioSourceChoice(CreateTone(encoder, clock), "auto: no capture device, so the test card's tone")
            : new AudioSourceChoice(null, "auto: no capture device and the video is not the test card, so no audio");
    }

    private static PacedAudioSource CreateTone(AacEncoderOptions encoder, PipelineClock clock)
    {
        var tone = new TestTone(encoder.SampleRate, encoder.Channels);
        return new PacedAudioSource($"tone {TestTone.ToneHz} Hz", encoder, () => new TonePcmReader(tone), clock);
    }

    private static PacedAudioSource CreateFile(string path, int bitrateKbps, PipelineClock clock, ILogger logger)
    {
        WavFormat format;
        try
        {
            using WavLoopReader probe = WavPcmReader.Open(path);
            format = probe.Format;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or MediaFormatException)
        {
            throw new MediaSourceException($"file audio: {exception.Message}", exception);
        }

        AudioLog.WavOpened(logger, path, format.SampleRate, format.Channels, (double)format.Frames / format.SampleRate);
        var encoder = new AacEncoderOptions(format.SampleRate, format.Channels, bitrateKbps);
        try
        {
            encoder.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new MediaSourceException($"file audio: {path}: {exception.Message}", exception);
        }

        return new PacedAudioSource("file " + path, encoder, () => new WavPcmReader(WavPcmReader.Open(path)), clock);
    }

    private static bool CanOpen(string device)
    {
        try
        {
            using AlsaCapture capture = AlsaCapture.Open(device, new AlsaCaptureRequest(48_000, 1));
            return true;
        }
        catch (DeviceException)
        {
            return false;
        }
    }
}
