using EdgeRtmp.Media;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Audio;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.TestSupport;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Pipeline.Audio;

public sealed class PacedAudioSourceTests
{
    /// <summary>A tone source renting from a pool of its own: the shared one is emptied now and then by tests running alongside.</summary>
    private static PacedAudioSource Tone(PipelineClock clock, int channels = 1)
    {
        var tone = new TestTone(48_000, channels);
        return new PacedAudioSource("tone 440 Hz", new AacEncoderOptions(48_000, channels, 96), () => new TonePcmReader(tone), clock, new MediaFramePool());
    }

    [Fact]
    public void Frames_are_stamped_by_sample_count_after_metadata_and_the_sequence_header()
    {
        var clock = new PipelineClock();
        var sink = new AudioSink(clock, 1);
        var source = Tone(clock);
        using var reader = new TonePcmReader(new TestTone(48_000, 1));
        for (int k = 0; k < 100; k++)
        {
            source.ProduceFrame(reader, k, TimeSpan.FromTicks(TimeSpan.TicksPerSecond + (k * 1024L * TimeSpan.TicksPerSecond / 48_000)), sink);
        }

        var frames = sink.Frames;
        Assert.Equal((MediaKind.Data, MediaFrameFlags.Metadata), (frames[0].Kind, frames[0].Flags));
        StreamMetadata metadata = StreamMetadata.Read(frames[0].Payload);
        Assert.Equal(48_000, metadata.AudioSampleRate);
        Assert.Equal(10, metadata.AudioCodecId);
        Assert.Equal((MediaKind.Audio, MediaFrameFlags.SequenceHeader), (frames[1].Kind, frames[1].Flags));
        Assert.Equal(new byte[] { 0xAF, 0x00, 0x11, 0x88 }, frames[1].Payload);

        // Stamps follow the sample count exactly (1024 samples = 21.33 ms), two frames earlier for the encoder's delay.
        var audio = sink.AudioFrames;
        Assert.Equal(100, audio.Count);
        for (int k = 2; k < audio.Count; k++)
        {
            Assert.Equal((uint)(1000 + ((k - 2) * 1024L * 1000 / 48_000)), audio[k].Timestamp);
        }
    }

    [Fact]
    public void Producing_a_frame_allocates_nothing_in_steady_state()
    {
        var clock = new PipelineClock();
        var source = Tone(clock, channels: 2);
        var sink = new NullAudioSink();
        using var reader = new TonePcmReader(new TestTone(48_000, 2));
        int k = 0;
        for (; k < 50; k++)
        {
            source.ProduceFrame(reader, k, TimeSpan.FromMilliseconds(k * 21.3), sink);
        }

        long least = Allocations.LeastOf(3, () =>
        {
            for (int end = k + 100; k < end; k++)
            {
                source.ProduceFrame(reader, k, TimeSpan.FromMilliseconds(k * 21.3), sink);
            }
        });

        Assert.Equal(0, least);
    }

    [Fact]
    public async Task Is_paced_on_its_clock_never_early_and_stops_when_asked()
    {
        // A fake clock: the test moves time to the whole millisecond at or after each frame's due time (the source's
        // timer waits in whole milliseconds) and waits for the frame, so the pacing is checked whatever the load.
        var (time, clock) = ClockAtStart();
        var sink = new RecordingSink(clock);
        var source = Tone(clock);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        const int Frames = 60;
        for (int frame = 0; frame < Frames; frame++)
        {
            Advance(time, clock, DueMilliseconds(frame));
            await AudioFramesCameAsync(sink, frame + 1, $"frame {frame} did not come");
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var audio = AudioOf(sink.Frames);
        Assert.Equal(Frames, audio.Count);
        for (int k = 0; k < audio.Count; k++)
        {
            // Made at the first millisecond its samples were due, never earlier.
            Assert.Equal(DueMilliseconds(k), audio[k].Arrival.TotalMilliseconds);
            if (k >= 2)
            {
                // Stamped by sample count with the time of the samples two frames earlier, for the encoder's delay.
                Assert.Equal(StampOf(k), audio[k].Timestamp);
            }
        }
    }

    [Fact]
    public async Task A_timer_that_fires_early_makes_it_wait_again_not_send_early()
    {
        var (time, clock) = ClockAtStart(fireEarly: TimeSpan.FromMilliseconds(4));
        var sink = new RecordingSink(clock);
        var source = Tone(clock);
        using var stop = new CancellationTokenSource();
        using var expiry = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task run = source.RunAsync(sink, stop.Token);
        await AudioFramesCameAsync(sink, 1, "frame 0 did not come");
        const int Frames = 30;
        for (int frame = 1; frame < Frames; frame++)
        {
            // The source waits for the frame's time in whole milliseconds; its timer fires 4 ms before that, and the
            // test moves time to 2 ms before it: the source must arm a timer for the 2 ms left, not make the frame.
            await time.WaitForTimerAsync(TimeSpan.FromMilliseconds(DueMilliseconds(frame)) - clock.Elapsed);
            Advance(time, clock, DueMilliseconds(frame) - 2);
            Assert.Equal(TimeSpan.FromMilliseconds(2), await time.NextTimerAsync(expiry.Token));
            Assert.Equal(frame, AudioOf(sink.Frames).Count);
            Advance(time, clock, DueMilliseconds(frame));
            await AudioFramesCameAsync(sink, frame + 1, $"frame {frame} did not come");
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, Frames).Select(frame => DueMilliseconds(frame)), AudioOf(sink.Frames).Select(frame => frame.Arrival.TotalMilliseconds));
    }

    [Fact]
    public async Task Under_a_second_late_it_catches_up_every_frame()
    {
        var (time, clock) = ClockAtStart();
        var sink = new RecordingSink(clock);
        var source = Tone(clock);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        await AudioFramesCameAsync(sink, 1, "frame 0 did not come");

        // Stalled 900 ms: frames 1 to 42 (896 ms) are due at once and all come, in a burst, on the sample grid.
        Advance(time, clock, Start + 900);
        await AudioFramesCameAsync(sink, 43, "the frames missed did not come");
        Advance(time, clock, DueMilliseconds(43));
        await AudioFramesCameAsync(sink, 44, "the pacing did not resume");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var audio = AudioOf(sink.Frames);
        Assert.Equal(44, audio.Count);
        for (int k = 2; k < audio.Count; k++)
        {
            Assert.Equal(StampOf(k), audio[k].Timestamp);
        }
    }

    [Fact]
    public async Task Over_a_second_late_it_skips_ahead_once_without_a_burst_and_keeps_the_samples_continuous()
    {
        var (time, clock) = ClockAtStart();
        var sink = new RecordingSink(clock);
        var source = Tone(clock);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        for (int frame = 0; frame < 10; frame++)
        {
            Advance(time, clock, DueMilliseconds(frame));
            await AudioFramesCameAsync(sink, frame + 1, $"frame {frame} did not come");
        }

        // Stalled 2.5 s, until 3702 ms, while frame 10 was due at 1213 ms: frame 10 comes now and the pacing goes on from there,
        // 21.33 ms a frame; nothing of the 2.5 s missed comes in a burst. An access unit carries the stamp of the
        // samples two frames earlier (the encoder's delay), so the jump shows in the stamps from frame 12 on.
        for (int frame = 10; frame < 14; frame++)
        {
            Advance(time, clock, Math.Ceiling(Start + 2702 + ((frame - 10) * 1024 * 1000 / 48_000.0)));
            await AudioFramesCameAsync(sink, frame + 1, $"frame {frame} did not come");
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var audio = AudioOf(sink.Frames);
        Assert.Equal(14, audio.Count);
        Assert.Equal([3702.0, 3724.0, 3745.0, 3766.0], audio.Skip(10).Select(frame => frame.Arrival.TotalMilliseconds));
        Assert.Equal([1170u, 1192u, 3702u, 3723u], audio.Skip(10).Select(frame => frame.Timestamp));
    }

    /// <summary>
    /// Where the sources start on the clock: a second in, so the encoder's two priming frames present after the
    /// clock's origin and come out (a source started at 0 leaves them out).
    /// </summary>
    private const double Start = 1000;

    private static (ObservedTimeProvider Time, PipelineClock Clock) ClockAtStart(TimeSpan fireEarly = default)
    {
        var time = new ObservedTimeProvider(fireEarly);
        var clock = new PipelineClock(time);
        time.Advance(TimeSpan.FromMilliseconds(Start));
        return (time, clock);
    }

    /// <summary>The whole millisecond at or after frame <paramref name="frame"/>'s samples are due (1024 at 48 kHz each).</summary>
    private static double DueMilliseconds(long frame) => Start + Math.Ceiling(frame * 1024 * 1000 / 48_000.0);

    private static void Advance(FakeTimeProvider time, PipelineClock clock, double toMilliseconds) =>
        time.Advance(TimeSpan.FromMilliseconds(toMilliseconds) - clock.Elapsed);

    /// <summary>The stamp of access unit <paramref name="frame"/>: the time of the samples two frames earlier (the encoder's delay).</summary>
    private static uint StampOf(long frame) => (uint)(Start + ((frame - 2) * 1024L * 1000 / 48_000));

    private static async Task AudioFramesCameAsync(RecordingSink sink, int count, string what) =>
        Assert.True(await sink.WaitUntilAsync(frames => AudioOf(frames).Count == count, TimeSpan.FromSeconds(30)), what);

    private static List<RecordingSink.Recorded> AudioOf(IReadOnlyList<RecordingSink.Recorded> frames) =>
        frames.Where(f => f.Kind == MediaKind.Audio && f.Flags == MediaFrameFlags.None).ToList();

    private sealed class NullAudioSink : IMediaSink
    {
        public void Write(ReadOnlySpan<MediaFrame> frames)
        {
        }
    }
}
