using System.Buffers;
using EdgeRtmp.Media;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Media.Tests.H264;

public class H264FramePackagerTests
{
    [Fact]
    public void A_new_SPS_mid_stream_sends_new_metadata_and_a_new_sequence_header_before_the_picture()
    {
        var packager = new H264FramePackager();
        var sink = new FrameRecorder();
        var buffer = new ArrayBufferWriter<byte>();
        var small = new TestCardEncoder(new TestCardOptions { Width = 320, Height = 240, KeyframeInterval = 5 });
        var large = new TestCardEncoder(new TestCardOptions { Width = 640, Height = 360, KeyframeInterval = 5 });
        for (int i = 0; i < 6; i++)
        {
            buffer.ResetWrittenCount();
            small.EncodeFrame(i, TimeSpan.Zero, buffer);
            packager.Write(buffer.WrittenSpan, (uint)(i * 40), sink);
        }

        buffer.ResetWrittenCount();
        large.EncodeFrame(0, TimeSpan.Zero, buffer);
        packager.Write(buffer.WrittenSpan, 240, sink);

        var frames = sink.Frames;
        // metadata, sequence header, 6 pictures (the repeated identical SPS at the second IDR sends nothing), then the change.
        Assert.Equal(2 + 6 + 3, frames.Count);
        Assert.Equal(2, frames.Count(f => f.Flags.HasFlag(MediaFrameFlags.SequenceHeader)));
        Assert.Equal(MediaFrameFlags.Metadata, frames[8].Flags);
        Assert.Equal(640, StreamMetadata.Read(frames[8].Payload).Width);
        Assert.True(frames[9].Flags.HasFlag(MediaFrameFlags.SequenceHeader));
        Assert.Equal(MediaFrameFlags.Keyframe, frames[10].Flags);
    }

    [Fact]
    public void Pictures_before_a_keyframe_are_dropped_and_equal_timestamps_are_made_increasing()
    {
        var packager = new H264FramePackager();
        var sink = new FrameRecorder();
        var buffer = new ArrayBufferWriter<byte>();
        var encoder = new TestCardEncoder(new TestCardOptions { Width = 320, Height = 240, KeyframeInterval = 4 });
        void Feed(long index, uint timestamp)
        {
            buffer.ResetWrittenCount();
            encoder.EncodeFrame(index, TimeSpan.Zero, buffer);
            packager.Write(buffer.WrittenSpan, timestamp, sink);
        }

        for (int i = 0; i < 3; i++)
        {
            Feed(i, 100);
        }

        // After a restart a P picture cannot start a decoder: dropped until the next keyframe (interval 4: the fifth).
        packager.Restart();
        Feed(3, 50);
        Assert.Equal(1, packager.DroppedPictures);
        Feed(4, 60);

        var pictures = sink.Frames.Where(f => f.Kind == MediaKind.Video && !f.Flags.HasFlag(MediaFrameFlags.SequenceHeader)).ToList();
        Assert.Equal([100u, 101u, 102u, 103u], pictures.Select(p => p.Timestamp));
        Assert.Equal([true, false, false, true], pictures.Select(p => p.Flags.HasFlag(MediaFrameFlags.Keyframe)));
        Assert.Equal(1, packager.DroppedPictures);
    }

    [Fact]
    public void What_one_access_unit_makes_is_handed_over_as_one_batch()
    {
        var packager = new H264FramePackager();
        var sink = new FrameRecorder();
        var buffer = new ArrayBufferWriter<byte>();
        var encoder = new TestCardEncoder(new TestCardOptions { Width = 320, Height = 240, KeyframeInterval = 30 });
        for (int i = 0; i < 2; i++)
        {
            buffer.ResetWrittenCount();
            encoder.EncodeFrame(i, TimeSpan.Zero, buffer);
            packager.Write(buffer.WrittenSpan, (uint)(i * 40), sink);
        }

        // Metadata, sequence header and the keyframe together; then the next picture on its own.
        Assert.Equal([0, 0, 0, 1], sink.Frames.Select(f => f.Batch));
        Assert.Equal([MediaFrameFlags.Metadata, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, MediaFrameFlags.Keyframe, MediaFrameFlags.None], sink.Frames.Select(f => f.Flags));
    }
}
