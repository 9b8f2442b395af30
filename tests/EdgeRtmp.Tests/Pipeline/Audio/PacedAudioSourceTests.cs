using EdgeRtmp.Media;
using EdgeRtmp.Media.Aac;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Audio;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Tests.Pipeline.Audio;

public sealed class PacedAudioSourceTests
{
    private static PacedAudioSource Tone(PipelineClock clock, int channels = 1)
    {
        var tone = new TestTone(48_000, channels);
        return new PacedAudioSource("tone 440 Hz", new AacEncoderOptions(48_000, channels, 96), () => new TonePcmReader(tone), clock);
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

        long least = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int end = k + 100; k < end; k++)
            {
                source.ProduceFrame(reader, k, TimeSpan.FromMilliseconds(k * 21.3), sink);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    [Fact]
    public async Task Runs_in_real_time_never_early_and_stops_when_asked()
    {
        var clock = new PipelineClock();
        var sink = new AudioSink(clock, 30);
        var source = Tone(clock);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        await sink.Enough.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var audio = sink.AudioFrames;
        // Frame k leaves once its presentation time has come: the frame stamped 2 frames earlier (encoder delay) never
        // leaves before its own samples were due. (The first ones, stamped before the clock's start, are clamped to 0.)
        for (int k = 3; k < audio.Count; k++)
        {
            Assert.True(audio[k].Arrival.TotalMilliseconds + 1 >= audio[k].Timestamp + 42, $"frame {k} stamped {audio[k].Timestamp} left at {audio[k].Arrival.TotalMilliseconds:0}");
            Assert.InRange(audio[k].Timestamp - audio[k - 1].Timestamp, 21u, 22u);
        }
    }

    private sealed class NullAudioSink : IMediaSink
    {
        public void Write(ReadOnlySpan<MediaFrame> frames)
        {
        }
    }
}
