using System.Buffers;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Media.H264;

namespace EdgeRtmp.Media.Tests.H264;

/// <summary>
/// Composition times from picture order counts must equal what FFmpeg's FLV muxer writes for the same x264 stream:
/// one encode with B-frames muxed to FLV, its access units extracted as Annex B, our offsets × the frame period
/// compared picture by picture with the FLV's CompositionTime.
/// </summary>
public sealed class PictureOrderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgertmp-poc-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("-bf 3 -b_strategy 0 -x264-params b-pyramid=none", 1)]
    [InlineData("-bf 3 -x264-params b-pyramid=normal", 2)]
    [InlineData("-bf 2", 2)] // b-pyramid=normal is the default
    [InlineData("-bf 0", 0)]
    public void Offsets_equal_ffmpegs_flv_composition_times(string options, int reorderDepth)
    {
        string flv = Path.Combine(_directory, "b.flv");
        string h264 = Path.Combine(_directory, "b.h264");
        Ffmpeg.RunOrFail("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "4",
            "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-sc_threshold", "0", .. options.Split(' '), "-f", "flv", flv]);
        Ffmpeg.RunOrFail("ffmpeg", "-v", "error", "-y", "-i", flv, "-c:v", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "h264", h264);

        List<int> expected = ReadCompositionTimes(flv);
        var sps = default(SequenceParameterSet);
        var order = new PictureOrder();
        var actual = new List<int>();
        ReadOnlySpan<byte> input = File.ReadAllBytes(h264);
        while (AnnexB.TryReadNalUnit(ref input, out ReadOnlySpan<byte> nalUnit))
        {
            switch (NalUnit.GetType(nalUnit))
            {
                case NalUnitType.SequenceParameterSet:
                    sps = SequenceParameterSet.Parse(nalUnit);
                    break;
                case NalUnitType.IdrSlice or NalUnitType.NonIdrSlice when IsFirstSlice(nalUnit):
                    actual.Add(order.Next(nalUnit, sps) * 40);
                    break;
            }
        }

        Assert.Equal((uint)reorderDepth, sps.MaxNumReorderFrames);
        Assert.Equal(100, expected.Count);
        Assert.Equal(expected, actual);
        Assert.Equal(reorderDepth > 0, expected.Distinct().Count() > 1);
    }

    [Fact]
    public void Pictures_without_a_type_0_picture_order_count_keep_decode_order()
    {
        var sps = new SequenceParameterSet { PicOrderCntType = 2, Log2MaxFrameNum = 4, FrameMbsOnly = true };
        var order = new PictureOrder();
        Assert.Equal(0, order.Next([0x65, 0x88, 0x84], sps));
        Assert.Equal(0, order.Next([0x41, 0x9A, 0x02], sps));
        Assert.Equal(0, order.Next([0x41], sps));
    }

    /// <summary>first_mb_in_slice is ue(v) 0, a single 1 bit, when the slice starts the picture.</summary>
    private static bool IsFirstSlice(ReadOnlySpan<byte> nalUnit) => nalUnit.Length > 1 && (nalUnit[1] & 0x80) != 0;

    private static List<int> ReadCompositionTimes(string path)
    {
        var times = new List<int>();
        using var reader = new FlvFileReader(File.OpenRead(path));
        while (reader.ReadTagAsync().AsTask().GetAwaiter().GetResult())
        {
            FlvTag tag = reader.Current;
            if (tag.TagType != FlvTagType.Video)
            {
                continue;
            }

            byte[] payload = tag.Payload.ToArray();
            if (payload[1] == 1) // AVCPacketType: NAL units (0 is the sequence header)
            {
                times.Add(FlvPayload.GetCompositionTime(payload));
            }
        }

        return times;
    }
}
