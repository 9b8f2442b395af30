using System.Buffers;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.TestSupport;

namespace EdgeRtmp.Media.Tests.TestCard;

public sealed class TestCardEncoderTests
{
    [Fact]
    public void Parameter_sets_describe_the_configured_picture()
    {
        var encoder = new TestCardEncoder(new TestCardOptions { Width = 1280, Height = 720, FramesPerSecond = 30 });
        SequenceParameterSet sps = SequenceParameterSet.Parse(encoder.SequenceParameterSet);
        Assert.Equal(66, sps.ProfileIdc);
        Assert.Equal(0xC0, sps.ConstraintFlags);
        Assert.Equal(31, sps.LevelIdc);
        Assert.Equal(1280, sps.Width);
        Assert.Equal(720, sps.Height);
        Assert.Equal(30.0, sps.FramesPerSecond);
        Assert.Equal(2u, sps.PicOrderCntType);

        var defaults = new TestCardEncoder();
        SequenceParameterSet small = SequenceParameterSet.Parse(defaults.SequenceParameterSet);
        Assert.Equal((640, 360, 30), (small.Width, small.Height, small.LevelIdc));
        Assert.Equal(23, small.HeightInMapUnits); // 368 coded rows, 8 cropped
        Assert.Equal(60, defaults.KeyframeInterval);
    }

    [Theory]
    [InlineData(TestCardCoding.Pcm)]
    [InlineData(TestCardCoding.H264)]
    public void Idr_every_keyframe_interval_and_p_frames_code_only_what_changed(TestCardCoding coding)
    {
        var encoder = new TestCardEncoder(new TestCardOptions { KeyframeInterval = 10, Coding = coding });
        var output = new ArrayBufferWriter<byte>();
        var parameterSets = new H264ParameterSets();
        var avcc = new ArrayBufferWriter<byte>();
        for (int i = 0; i < 25; i++)
        {
            output.ResetWrittenCount();
            bool keyframe = encoder.EncodeFrame(i, TimeSpan.FromMilliseconds(i * 33.3), output);
            Assert.Equal(i % 10 == 0, keyframe);
            if (keyframe)
                Assert.Equal(encoder.MacroblockCount, encoder.LastCodedMacroblocks);
            else
                Assert.InRange(encoder.LastCodedMacroblocks, 1, encoder.MacroblockCount / (coding == TestCardCoding.Pcm ? 10 : 4)); // H.264 also refines a coarse IDR

            avcc.ResetWrittenCount();
            AvccFrameInfo info = AvccWriter.Write(output.WrittenSpan, avcc, parameterSets);
            Assert.Equal(keyframe, info.IsKeyframe);
            Assert.Equal(i == 0, info.ParameterSetsChanged);
            Assert.Equal(1, info.NalUnitCount);
        }
        var record = new ArrayBufferWriter<byte>();
        parameterSets.WriteDecoderConfigurationRecord(record);
        AvcDecoderConfigurationRecord parsed = AvcDecoderConfigurationRecord.Parse(record.WrittenSpan);
        Assert.Equal(encoder.SequenceParameterSet.ToArray(), parsed.SequenceParameterSets[0]);
        Assert.Null(parsed.ChromaFormat);
    }

    [Fact]
    public void Requested_keyframe_comes_next()
    {
        var encoder = new TestCardEncoder();
        var output = new ArrayBufferWriter<byte>();
        Assert.True(encoder.EncodeFrame(0, TimeSpan.Zero, output));
        Assert.False(encoder.EncodeFrame(1, TimeSpan.FromMilliseconds(33), output));
        encoder.RequestKeyframe();
        Assert.True(encoder.EncodeFrame(2, TimeSpan.FromMilliseconds(66), output));
    }

    [Fact]
    public void Last_picture_equals_a_fresh_rendering()
    {
        var options = new TestCardOptions { Width = 320, Height = 240, FramesPerSecond = 25, Coding = TestCardCoding.Pcm };
        var encoder = new TestCardEncoder(options);
        var output = new ArrayBufferWriter<byte>();
        byte[] picture = new byte[encoder.FrameSize];
        byte[] rendered = new byte[encoder.FrameSize];
        for (int i = 0; i < 30; i++)
            encoder.EncodeFrame(i, TimeSpan.FromMilliseconds(i * 40), output);
        encoder.CopyLastPicture(picture);
        encoder.Renderer.Render(29, TimeSpan.FromMilliseconds(29 * 40), rendered);
        Assert.Equal(rendered, picture);
    }

    [Theory]
    [InlineData(TestCardCoding.Pcm)]
    [InlineData(TestCardCoding.H264)]
    public void Encoding_allocates_nothing_after_warm_up(TestCardCoding coding)
    {
        var encoder = new TestCardEncoder(new TestCardOptions { Width = 640, Height = 360, KeyframeInterval = 15, Coding = coding });
        var output = new ArrayBufferWriter<byte>(1 << 20);
        for (int i = 0; i < 30; i++)
        {
            output.ResetWrittenCount();
            encoder.EncodeFrame(i, TimeSpan.FromMilliseconds(i * 33), output);
        }

        // The least of three windows of 20 frames, each with a keyframe: a one-off of the runtime's (a method compiled
        // late on a loaded machine; 7,032 B once in a loaded run) lands in one window, a per-frame allocation in all.
        int next = 30;
        long least = Allocations.LeastOf(3, () =>
        {
            for (int end = next + 20; next < end; next++)
            {
                output.ResetWrittenCount();
                encoder.EncodeFrame(next, TimeSpan.FromMilliseconds(next * 33), output);
            }
        });

        Assert.True(least == 0, $"allocated {least} bytes over 20 frames in each of three windows");
    }

    [Fact]
    public void Invalid_options_name_the_field()
    {
        var error = Assert.Throws<ArgumentException>(() => new TestCardEncoder(new TestCardOptions { Width = 641 }));
        Assert.Contains("Width", error.Message);
    }
}
