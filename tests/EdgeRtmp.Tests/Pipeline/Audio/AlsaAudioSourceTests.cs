using System.Runtime.InteropServices;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Audio;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Pipeline.Audio;

/// <summary>
/// The ALSA source over a host test PCM: the <c>file</c> plugin over <c>null</c>, its <c>infile</c> a raw tone
/// (shared/LINUX-FACTS.md). That PCM is not paced in real time (reads return at once), so these tests cover the
/// capture thread, the encoding and stopping; real-time capture and lip sync are tested in the emulated box and by
/// the simulated clock of AudioTimelineTests.
/// </summary>
public sealed partial class AlsaAudioSourceTests
{
    private const string Device = "edgertmp_app_test_tone";

    public AlsaAudioSourceTests() => InstallConfiguration();

    [Fact]
    public async Task Captures_encodes_and_stops_when_asked()
    {
        var clock = new PipelineClock();
        var source = new AlsaAudioSource(Device, new AacEncoderOptions(48_000, 1, 64), clock, NullLogger.Instance);
        var sink = new AudioSink(clock, 10);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        await sink.Enough.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));

        var frames = sink.Frames;
        Assert.Equal(MediaFrameFlags.Metadata, frames[0].Flags);
        Assert.Equal(new byte[] { 0xAF, 0x00, 0x11, 0x88 }, frames[1].Payload);
        var audio = sink.AudioFrames;
        for (int k = 1; k < audio.Count; k++)
        {
            Assert.True(audio[k].Timestamp >= audio[k - 1].Timestamp);
        }

        // Samples came far faster than real time: the timeline dropped them rather than stamping them into the future.
        Assert.NotNull(source.Timeline);
        Assert.True(source.Timeline.Steps > 0, $"{source.Timeline.Steps} steps, {source.Timeline.DroppedSamples} dropped, offset {source.Timeline.Offset.TotalMilliseconds} ms, {audio.Count} frames, last stamp {audio[^1].Timestamp} at {audio[^1].Arrival.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_missing_device_fails_the_run_naming_it()
    {
        var source = new AlsaAudioSource("hw:CARD=EdgeRtmpNoSuchCard,DEV=0", new AacEncoderOptions(48_000, 1, 64), new PipelineClock(), NullLogger.Instance);
        var error = await Assert.ThrowsAsync<MediaSourceException>(() => source.RunAsync(new AudioSink(new PipelineClock(), 1), CancellationToken.None));
        Assert.Contains("'hw:CARD=EdgeRtmpNoSuchCard,DEV=0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such capture device", error.Message, StringComparison.Ordinal);
    }

    private static readonly Lazy<bool> s_installed = new(() =>
    {
        string directory = Path.Combine(Path.GetTempPath(), "edgertmp-app-alsa-" + Environment.ProcessId);
        Directory.CreateDirectory(directory);
        string raw = Path.Combine(directory, "tone.raw");
        var samples = new byte[48_000 * 2];
        for (int n = 0; n < 48_000; n++)
        {
            BitConverter.TryWriteBytes(samples.AsSpan(n * 2), (short)(8000 * Math.Sin(2 * Math.PI * 440 * n / 48_000)));
        }

        File.WriteAllBytes(raw, samples);
        string configuration = Path.Combine(directory, "asound.conf");
        File.WriteAllText(configuration, $$"""
            pcm.{{Device}} {
                type file
                slave.pcm "null"
                file "/dev/null"
                infile "{{raw}}"
                format "raw"
            }

            """);

        // libasound reads ALSA_CONFIG_PATH with getenv(); Environment.SetEnvironmentVariable does not reach it on Linux.
        return setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:" + configuration, 1) == 0
            ? true
            : throw new InvalidOperationException("setenv ALSA_CONFIG_PATH failed");
    });

    private static void InstallConfiguration() => _ = s_installed.Value;

#pragma warning disable SYSLIB1054 // A test helper: runtime marshalling is fine here, and this project does not allow unsafe code.
    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern int setenv(string name, string value, int overwrite);
#pragma warning restore SYSLIB1054
}
