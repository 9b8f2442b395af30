using System.Buffers;
using EdgeRtmp.Media.TestCard;

namespace EdgeRtmp.Media.Tests.TestCard;

/// <summary>The test card's bitstream checked by the real decoder: no errors, right size and rate, lossless pictures.</summary>
public sealed class TestCardDecodeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string EncodeToFile(TestCardOptions options, int frames, string name)
    {
        var encoder = new TestCardEncoder(options);
        var output = new ArrayBufferWriter<byte>();
        string path = _directory.File(name);
        using var file = File.Create(path);
        for (int i = 0; i < frames; i++)
        {
            output.ResetWrittenCount();
            encoder.EncodeFrame(i, TimeSpan.FromSeconds((double)i / options.FramesPerSecond), output);
            file.Write(output.WrittenSpan);
        }
        return path;
    }

    [Theory]
    [InlineData(640, 360, 30, 300)]
    [InlineData(320, 240, 25, 100)]
    [InlineData(1280, 720, 30, 70)]
    [InlineData(176, 144, 15, 40)]
    public void Decodes_without_errors_with_configured_size_and_rate(int width, int height, int fps, int frames)
    {
        var options = new TestCardOptions { Width = width, Height = height, FramesPerSecond = fps };
        string path = EncodeToFile(options, frames, $"card-{width}x{height}.h264");

        var (exitCode, _, stderr) = Ffmpeg.Run("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-");
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);

        Dictionary<string, string> probe = Ffmpeg.ProbeVideoStream(path);
        Assert.Equal("h264", probe["codec_name"]);
        Assert.Equal(width.ToString(), probe["width"]);
        Assert.Equal(height.ToString(), probe["height"]);
        Assert.Equal($"{fps}/1", probe["r_frame_rate"]);
        Assert.Equal("Constrained Baseline", probe["profile"]);
    }

    [Fact]
    public void Decoded_pictures_equal_our_rendering_byte_for_byte()
    {
        var options = new TestCardOptions { Width = 640, Height = 360, FramesPerSecond = 30, KeyframeInterval = 20, Coding = TestCardCoding.Pcm };
        const int frames = 45;
        string path = EncodeToFile(options, frames, "card-exact.h264");
        var renderer = new TestCardRenderer(options);
        int frameSize = renderer.FrameSize;
        byte[] expected = new byte[frameSize];
        byte[] decoded = new byte[frameSize];
        int count = 0;
        string stderr = Ffmpeg.RunStreaming(stream =>
        {
            while (true)
            {
                int read = stream.ReadAtLeast(decoded, frameSize, throwOnEndOfStream: false);
                if (read == 0)
                    break;
                Assert.Equal(frameSize, read);
                renderer.Render(count, TimeSpan.FromSeconds((double)count / options.FramesPerSecond), expected);
                Assert.True(expected.AsSpan().SequenceEqual(decoded), $"decoded frame {count} differs from our rendering");
                count++;
            }
        }, "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-");
        Assert.Equal("", stderr);
        Assert.Equal(frames, count);
    }

    [Fact]
    public void H264_card_at_720p_and_1500_kbps_decodes_to_our_reconstruction_above_40_db()
    {
        var options = new TestCardOptions { Width = 1280, Height = 720, FramesPerSecond = 30, BitrateKbps = 1500, KeyframeInterval = 30 };
        const int frames = 45;
        var encoder = new TestCardEncoder(options);
        var output = new ArrayBufferWriter<byte>();
        int frameSize = encoder.FrameSize;
        byte[] reconstruction = new byte[frames * frameSize];
        byte[] rendered = new byte[frameSize];
        double worstPsnr = double.MaxValue;
        for (int i = 0; i < frames; i++)
        {
            TimeSpan timestamp = TimeSpan.FromSeconds((double)i / options.FramesPerSecond);
            encoder.EncodeFrame(i, timestamp, output);
            Span<byte> picture = reconstruction.AsSpan(i * frameSize, frameSize);
            encoder.CopyLastPicture(picture);
            encoder.Renderer.Render(i, timestamp, rendered);
            worstPsnr = Math.Min(worstPsnr, H264.Encoding.EncoderHarness.Psnr(rendered, picture.ToArray()));
        }
        Assert.True(worstPsnr >= 40, $"worst PSNR {worstPsnr:F2} dB");
        double kbps = output.WrittenCount * 8.0 / (frames / 30.0) / 1000;
        Assert.InRange(kbps, 100, 1500 * 1.5); // the first second holds two IDRs; the buffer allows the excess

        byte[] decoded = H264.Encoding.EncoderHarness.Decode(_directory, output.WrittenSpan.ToArray());
        H264.Encoding.EncoderHarness.AssertSamePictures(reconstruction, decoded, options.Width, options.Height);
    }
}
