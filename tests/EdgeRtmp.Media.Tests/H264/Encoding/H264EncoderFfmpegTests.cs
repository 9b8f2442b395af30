using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Media.Tests.H264.Encoding;

/// <summary>
/// Conformance against the real decoder: FFmpeg decodes every stream without a word on stderr, and its pictures
/// equal our encoder's reconstruction byte for byte (encoder and decoder agree on every prediction and residual).
/// </summary>
public sealed class H264EncoderFfmpegTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("testsrc2=size={size}:rate={rate},noise=alls=10:allf=t", 320, 180, 500)]
    [InlineData("mandelbrot=size={size}:rate={rate},noise=alls=8:allf=t", 352, 288, 700)]
    [InlineData("smptehdbars=size={size}:rate={rate},noise=alls=14:allf=t+u", 330, 186, 400)]
    [InlineData("testsrc2=size={size}:rate={rate}", 176, 144, 150)]
    public void Camera_like_content_decodes_to_our_reconstruction(string source, int width, int height, int kbps)
    {
        byte[] raw = EncoderHarness.MakeRawVideo(_directory, source, width, height, 30, 36);
        var result = EncoderHarness.Encode(new H264EncoderOptions(width, height, 30, kbps, KeyframeInterval: 15), raw);

        byte[] decoded = EncoderHarness.Decode(_directory, result.Stream);
        EncoderHarness.AssertSamePictures(result.Reconstruction, decoded, width, height);
        Assert.Equal(new[] { 0, 15, 30 }, Enumerable.Range(0, 36).Where(i => result.Keyframes[i]));
        Assert.True(EncoderHarness.Psnr(raw, decoded) > 25, $"PSNR {EncoderHarness.Psnr(raw, decoded):F2} dB");

        string path = _directory.File($"probe-{width}x{height}.h264");
        File.WriteAllBytes(path, result.Stream);
        Dictionary<string, string> probe = Ffmpeg.ProbeVideoStream(path);
        Assert.Equal(width.ToString(), probe["width"]);
        Assert.Equal(height.ToString(), probe["height"]);
        Assert.Equal("Constrained Baseline", probe["profile"]);
    }

    [Theory] // QP 0 makes large levels (the CAVLC escapes), 51 the coarsest steps; without sub-samples or Intra_4x4 too
    [InlineData(0, true, true)]
    [InlineData(8, false, false)]
    [InlineData(30, true, false)]
    [InlineData(51, true, true)]
    public void Constant_qp_extremes_decode_to_our_reconstruction(int qp, bool subpixel, bool intra4x4)
    {
        byte[] raw = EncoderHarness.MakeRawVideo(_directory, "testsrc2=size={size}:rate={rate},noise=alls=30:allf=t", 176, 144, 30, 8);
        var options = new H264EncoderOptions(176, 144, 30, 1000) { ConstantQp = qp, SubpixelMotion = subpixel, Intra4x4 = intra4x4 };
        var result = EncoderHarness.Encode(options, raw);
        EncoderHarness.AssertSamePictures(result.Reconstruction, EncoderHarness.Decode(_directory, result.Stream), 176, 144);
        Assert.All(result.Qp, value => Assert.Equal(qp, value));
        if (qp == 0)
            Assert.True(EncoderHarness.Psnr(raw, result.Reconstruction) > 50);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Slices_on_several_threads_decode_to_our_reconstruction_and_repeat_exactly(int slices)
    {
        byte[] raw = EncoderHarness.MakeRawVideo(_directory, "testsrc2=size={size}:rate={rate},noise=alls=10:allf=t", 320, 180, 30, 20);
        var options = new H264EncoderOptions(320, 180, 30, 500, KeyframeInterval: 10) { Slices = slices };
        var first = EncoderHarness.Encode(options, raw);
        var second = EncoderHarness.Encode(options, raw);
        Assert.Equal(first.Stream, second.Stream); // threads never see each other's macroblocks
        EncoderHarness.AssertSamePictures(first.Reconstruction, EncoderHarness.Decode(_directory, first.Stream), 320, 180);
        var single = EncoderHarness.Encode(options with { Slices = 1 }, raw);
        Assert.InRange(EncoderHarness.Psnr(raw, first.Reconstruction), EncoderHarness.Psnr(raw, single.Reconstruction) - 0.5, 100);
    }

    [Fact]
    public void A_requested_keyframe_is_an_idr_with_parameter_sets_and_the_stream_stays_exact()
    {
        byte[] raw = EncoderHarness.MakeRawVideo(_directory, "mandelbrot=size={size}:rate={rate}", 160, 96, 30, 20);
        var result = EncoderHarness.Encode(new H264EncoderOptions(160, 96, 30, 300, KeyframeInterval: 100), raw,
            (frame, encoder) => { if (frame == 7) encoder.RequestKeyframe(); });
        Assert.Equal(new[] { 0, 7 }, Enumerable.Range(0, 20).Where(i => result.Keyframes[i]));
        EncoderHarness.AssertSamePictures(result.Reconstruction, EncoderHarness.Decode(_directory, result.Stream), 160, 96);
    }

    [Theory] // the default two-second GOP, and all-intra
    [InlineData(0)]
    [InlineData(1)]
    public void Bitrate_holds_within_ten_percent_over_ten_seconds_and_the_buffer_never_overflows(int keyframeInterval)
    {
        const int width = 320, height = 180, fps = 30, kbps = 400;
        byte[] raw = EncoderHarness.MakeRawVideo(_directory, "testsrc2=size={size}:rate={rate},noise=alls=8:allf=t", width, height, fps, 10 * fps);
        var result = EncoderHarness.Encode(new H264EncoderOptions(width, height, fps, kbps, keyframeInterval), raw);

        double actualKbps = result.FrameBytes.Sum() * 8.0 / 10 / 1000;
        Assert.InRange(actualKbps, 0.9 * kbps, 1.1 * kbps);
        double fullness = 0, bitsPerFrame = kbps * 1000.0 / fps, buffer = kbps * 1000.0;
        for (int i = 0; i < result.FrameBytes.Length; i++)
        {
            fullness = Math.Max(0, fullness + 8.0 * result.FrameBytes[i] - bitsPerFrame);
            Assert.True(fullness <= buffer * 1.02, $"frame {i}: {fullness:F0} bits waiting exceed the {buffer:F0}-bit buffer");
        }
        EncoderHarness.AssertSamePictures(result.Reconstruction, EncoderHarness.Decode(_directory, result.Stream), width, height);
    }
}
