using EdgeRtmp.Media.Aac;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.TestSupport;

namespace EdgeRtmp.Media.Tests.Aac;

public sealed class AacFramePackagerTests
{
    private sealed class Sink : IMediaSink
    {
        public List<(MediaKind Kind, MediaFrameFlags Flags, uint Timestamp, byte[] Payload, int Batch)> Frames { get; } = [];

        public bool Record { get; set; } = true;

        private int _batches;

        public void Write(ReadOnlySpan<MediaFrame> frames)
        {
            if (Record)
            {
                foreach (MediaFrame frame in frames)
                {
                    Frames.Add((frame.Kind, frame.Flags, frame.Timestamp, frame.Span.ToArray(), _batches));
                }
            }

            _batches++;
        }
    }

    [Fact]
    public void MetadataAndSequenceHeaderComeWithTheFirstFrameThenRawFrames()
    {
        var sink = new Sink();
        var packager = new AacFramePackager(bitrateKbps: 96);
        var config = new AudioSpecificConfig(AudioSpecificConfig.AacLcObjectType, 48_000, 1);
        byte[] body = [0, 0, 0x21, 0x10, 0x04];
        packager.Write(config, body, 100, sink);
        packager.Write(config, body, 121, sink);

        Assert.Equal(4, sink.Frames.Count);
        var (kind, flags, timestamp, payload, batch) = sink.Frames[0];
        Assert.Equal((MediaKind.Data, MediaFrameFlags.Metadata, 100u, 0), (kind, flags, timestamp, batch));
        StreamMetadata metadata = StreamMetadata.Read(payload);
        Assert.Equal(10, metadata.AudioCodecId);
        Assert.Equal(48_000, metadata.AudioSampleRate);
        Assert.False(metadata.Stereo);
        Assert.Equal(96, metadata.AudioDataRate);

        // AudioSpecificConfig of AAC-LC 48 kHz mono: 00010 0011 0001 000 = 0x11 0x88.
        Assert.Equal((MediaKind.Audio, MediaFrameFlags.SequenceHeader, 100u, 0), (sink.Frames[1].Kind, sink.Frames[1].Flags, sink.Frames[1].Timestamp, sink.Frames[1].Batch));
        Assert.Equal(new byte[] { 0xAF, 0x00, 0x11, 0x88 }, sink.Frames[1].Payload);
        Assert.Equal(new byte[] { 0xAF, 0x01, 0x21, 0x10, 0x04 }, sink.Frames[2].Payload);
        Assert.Equal(0, sink.Frames[2].Batch);
        Assert.Equal((MediaFrameFlags.None, 121u, 1), (sink.Frames[3].Flags, sink.Frames[3].Timestamp, sink.Frames[3].Batch));
    }

    [Fact]
    public void StampsNeverGoBackwards()
    {
        var sink = new Sink();
        var packager = new AacFramePackager();
        var config = new AudioSpecificConfig(AudioSpecificConfig.AacLcObjectType, 44_100, 2);
        byte[] body = [0, 0, 1];
        foreach (uint stamp in new uint[] { 50, 70, 60, 90 })
        {
            packager.Write(config, body, stamp, sink);
        }

        Assert.Equal(new uint[] { 50, 50, 50, 70, 70, 90 }, sink.Frames.Select(f => f.Timestamp));
    }

    [Fact]
    public void ARestartOrANewConfigSendsTheHeaderAgain()
    {
        var sink = new Sink();
        var packager = new AacFramePackager();
        byte[] body = [0, 0, 1];
        packager.Write(new AudioSpecificConfig(2, 48_000, 2), body, 0, sink);
        packager.Write(new AudioSpecificConfig(2, 48_000, 2), body, 1, sink);
        packager.Restart();
        packager.Write(new AudioSpecificConfig(2, 48_000, 2), body, 2, sink);
        packager.Write(new AudioSpecificConfig(2, 44_100, 2), body, 3, sink);

        Assert.Equal(3, sink.Frames.Count(f => f.Flags == MediaFrameFlags.SequenceHeader));
    }

    [Fact]
    public void EncodedFramesAreStampedWithTheInputTheyDecodeTo()
    {
        var sink = new Sink();
        var packager = new AacPcmPackager(new AacEncoderOptions(48_000, 1, 64));
        var tone = new TestTone(48_000, 1);
        var pcm = new short[1024];
        for (int k = 0; k < 6; k++)
        {
            tone.Fill(pcm, k * 1024L);
            packager.Write(pcm, TimeSpan.FromMilliseconds(1000 + (k * 1024 * 1000.0 / 48_000)), sink);
        }

        uint[] stamps = sink.Frames.Where(f => f.Kind == MediaKind.Audio && f.Flags == MediaFrameFlags.None).Select(f => f.Timestamp).ToArray();
        // The encoder's delay is two frames: access unit k decodes to input frame k − 2.
        Assert.Equal(new uint[] { 957, 978, 1000, 1021, 1042, 1064 }, stamps);
    }

    [Fact]
    public void PrimingThatWouldPresentBeforeTheClocksOriginIsLeftOutSoNoTwoFramesShareAStamp()
    {
        var sink = new Sink();
        var packager = new AacPcmPackager(new AacEncoderOptions(48_000, 1, 64));
        var tone = new TestTone(48_000, 1);
        var pcm = new short[1024];
        for (int k = 0; k < 5; k++)
        {
            tone.Fill(pcm, k * 1024L);
            packager.Write(pcm, TimeSpan.FromMilliseconds(5 + (k * 1024 * 1000.0 / 48_000)), sink);
        }

        // A source started 5 ms after the clock: access units 0 and 1 would present at -38 and -16 ms.
        uint[] stamps = sink.Frames.Where(f => f.Kind == MediaKind.Audio && f.Flags == MediaFrameFlags.None).Select(f => f.Timestamp).ToArray();
        Assert.Equal(new uint[] { 5, 26, 47 }, stamps);
        Assert.Single(sink.Frames, f => f.Flags == MediaFrameFlags.SequenceHeader);
    }

    [Fact]
    public void EncodingAndPackagingTakeNoAllocation()
    {
        var sink = new Sink { Record = false };
        // A pool of its own: the shared one is emptied now and then by tests running alongside.
        var packager = new AacPcmPackager(new AacEncoderOptions(48_000, 2, 128), new MediaFramePool());
        var tone = new TestTone(48_000, 2);
        var pcm = new short[2048];
        tone.Fill(pcm, 0);
        for (int k = 0; k < 50; k++)
        {
            packager.Write(pcm, TimeSpan.FromMilliseconds(k * 21.3), sink);
        }

        // The least of three windows: an allocation per frame shows in every window.
        int k2 = 50;
        long least = Allocations.LeastOf(3, () =>
        {
            for (int end = k2 + 100; k2 < end; k2++)
            {
                packager.Write(pcm, TimeSpan.FromMilliseconds(k2 * 21.3), sink);
            }
        });

        Assert.Equal(0, least);
    }
}
