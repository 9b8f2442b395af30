using System.Buffers;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Media.Tests.H264.Encoding;

public sealed class H264EncoderTests
{
    private static byte[] MovingPicture(int width, int height, int frame)
    {
        byte[] i420 = new byte[YuvPlanes.I420Size(width, height)];
        var random = new Random(frame);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                i420[y * width + x] = (byte)((x + 2 * frame) * 3 + y + random.Next(4));
        }
        i420.AsSpan(width * height).Fill(128);
        return i420;
    }

    [Fact]
    public void Encoding_allocates_nothing_per_picture()
    {
        const int width = 320, height = 180;
        var encoder = new H264Encoder(new H264EncoderOptions(width, height, 30, 500, KeyframeInterval: 10));
        byte[][] pictures = Enumerable.Range(0, 4).Select(i => MovingPicture(width, height, i)).ToArray();
        var output = new ArrayBufferWriter<byte>(encoder.MaxAccessUnitLength);
        for (int i = 0; i < 30; i++) // warm up: JIT, every picture type
        {
            output.ResetWrittenCount();
            encoder.Encode(YuvPlanes.FromI420(pictures[i % 4], width, height), output);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 25; i++)
        {
            output.ResetWrittenCount();
            encoder.Encode(YuvPlanes.FromI420(pictures[i % 4], width, height), output);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Access_units_carry_sps_and_pps_before_each_idr_only()
    {
        var encoder = new H264Encoder(new H264EncoderOptions(64, 48, 25, 200, KeyframeInterval: 3));
        byte[] picture = MovingPicture(64, 48, 0);
        for (int i = 0; i < 7; i++)
        {
            var output = new ArrayBufferWriter<byte>();
            bool keyframe = encoder.Encode(YuvPlanes.FromI420(picture, 64, 48), output);
            Assert.Equal(i % 3 == 0, keyframe);
            var types = new List<int>();
            ReadOnlySpan<byte> buffer = output.WrittenSpan;
            while (AnnexB.TryReadNalUnit(ref buffer, out ReadOnlySpan<byte> nal))
                types.Add(nal[0] & 0x1F);
            Assert.Equal(keyframe ? new[] { 7, 8, 5 } : new[] { 1 }, types);
        }
        var sliced = new H264Encoder(new H264EncoderOptions(64, 48, 25, 200) { Slices = 2 });
        var slicedOutput = new ArrayBufferWriter<byte>();
        sliced.Encode(YuvPlanes.FromI420(picture, 64, 48), slicedOutput);
        Assert.Equal(4, AnnexB.CountNalUnits(slicedOutput.WrittenSpan)); // SPS, PPS, two IDR slices
        Assert.Equal(0x67, encoder.SequenceParameterSet[0]);
        Assert.Equal(0x68, encoder.PictureParameterSet[0]);
    }

    [Fact]
    public void Sequence_parameter_set_crops_to_the_display_size()
    {
        var encoder = new H264Encoder(new H264EncoderOptions(330, 186, 30, 500));
        var sps = SequenceParameterSet.Parse(encoder.SequenceParameterSet);
        Assert.Equal(330, sps.Width);
        Assert.Equal(186, sps.Height);
        Assert.Equal(66, sps.ProfileIdc);
    }

    [Theory]
    [InlineData(15, 144, 30, 1000)]
    [InlineData(320, 7, 30, 1000)]
    [InlineData(320, 240, 0, 1000)]
    [InlineData(320, 240, 30, 5)]
    public void Options_out_of_range_are_refused_naming_the_field(int width, int height, int fps, int kbps)
    {
        var error = Assert.Throws<ArgumentException>(() => new H264Encoder(new H264EncoderOptions(width, height, fps, kbps)));
        Assert.Contains("H.264 encoder", error.Message);
    }
}
