using EdgeRtmp.Media;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Audio;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Pipeline.Audio;

public sealed class ExecAudioSourceTests
{
    [Fact]
    public async Task Adts_from_ffmpeg_becomes_a_sequence_header_and_frames_stamped_by_count()
    {
        var clock = new PipelineClock();
        var source = new ExecAudioSource(
            "ffmpeg -v error -re -f lavfi -i sine=frequency=440:sample_rate=44100 -ac 2 -c:a aac -b:a 96k -flush_packets 1 -f adts -",
            clock,
            NullLogger.Instance);
        var sink = new AudioSink(clock, 40);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        await sink.Enough.WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));

        var frames = sink.Frames;
        Assert.Equal(MediaFrameFlags.Metadata, frames[0].Flags);
        Assert.Equal(new byte[] { 0xAF, 0x00, 0x12, 0x10 }, frames[1].Payload);
        var audio = sink.AudioFrames;
        int onCadence = 0;
        for (int k = 1; k < audio.Count; k++)
        {
            Assert.Equal(0xAF, audio[k].Payload[0]);
            Assert.Equal(1, audio[k].Payload[1]);
            // 1024 samples at 44.1 kHz: 23.2 ms, stamped by count from the first frame's arrival; never less, and more
            // only when ffmpeg stalled past ExecAudioSource.MaxLag (a loaded test machine), which re-anchors forward.
            uint step = audio[k].Timestamp - audio[k - 1].Timestamp;
            Assert.True(step >= 23, $"frame {k} {step} ms after the one before");
            onCadence += step <= 24 ? 1 : 0;
        }

        Assert.True(onCadence >= (audio.Count - 1) * 0.8, $"{onCadence} of {audio.Count - 1} steps on the 23.2 ms cadence");
    }

    [Fact]
    public async Task A_command_that_ends_fails_the_run_and_one_that_is_not_adts_says_so()
    {
        var clock = new PipelineClock();
        var ended = new ExecAudioSource("ffmpeg -v error -f lavfi -i sine=sample_rate=48000 -t 0.5 -c:a aac -f adts -", clock, NullLogger.Instance);
        var sink = new AudioSink(clock, 1);
        var error = await Assert.ThrowsAsync<MediaSourceException>(() => ended.RunAsync(sink, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("exited with code 0", error.Message, StringComparison.Ordinal);
        Assert.InRange(sink.AudioFrames.Count, 20, 26);

        var garbage = new ExecAudioSource("head -c 4096 /dev/zero", clock, NullLogger.Instance);
        var notAdts = await Assert.ThrowsAsync<MediaSourceException>(() => garbage.RunAsync(new AudioSink(clock, 1), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("does not write ADTS", notAdts.Message, StringComparison.Ordinal);
    }
}
