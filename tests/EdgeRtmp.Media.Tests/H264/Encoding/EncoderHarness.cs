using System.Buffers;
using System.Globalization;
using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Media.Tests.H264.Encoding;

/// <summary>Raw pictures from FFmpeg's sources, our encoder over them, and FFmpeg's decode of the result.</summary>
internal static class EncoderHarness
{
    /// <summary>yuv420p frames of an FFmpeg lavfi source (e.g. "testsrc2", with a filter chain appended).</summary>
    public static byte[] MakeRawVideo(TempDirectory directory, string source, int width, int height, int fps, int frames)
    {
        string path = directory.File($"source-{Guid.NewGuid():N}.yuv");
        Ffmpeg.RunOrFail("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
            "-i", source.Replace("{size}", $"{width}x{height}").Replace("{rate}", fps.ToString(CultureInfo.InvariantCulture)),
            "-frames:v", frames.ToString(CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p", "-f", "rawvideo", path);
        byte[] raw = File.ReadAllBytes(path);
        Assert.Equal(frames * YuvPlanes.I420Size(width, height), raw.Length);
        return raw;
    }

    public sealed record Result(byte[] Stream, byte[] Reconstruction, int[] FrameBytes, bool[] Keyframes, int[] Qp);

    public static Result Encode(H264EncoderOptions options, byte[] raw, Action<int, H264Encoder>? beforeFrame = null)
    {
        var encoder = new H264Encoder(options);
        int frameSize = YuvPlanes.I420Size(options.Width, options.Height);
        int frames = raw.Length / frameSize;
        var stream = new ArrayBufferWriter<byte>();
        byte[] reconstruction = new byte[raw.Length];
        int[] sizes = new int[frames];
        bool[] keyframes = new bool[frames];
        int[] qp = new int[frames];
        for (int i = 0; i < frames; i++)
        {
            beforeFrame?.Invoke(i, encoder);
            int before = stream.WrittenCount;
            keyframes[i] = encoder.Encode(YuvPlanes.FromI420(raw.AsSpan(i * frameSize, frameSize), options.Width, options.Height), stream);
            sizes[i] = stream.WrittenCount - before;
            qp[i] = encoder.LastQp;
            encoder.CopyReconstruction(reconstruction.AsSpan(i * frameSize, frameSize));
        }
        return new Result(stream.WrittenSpan.ToArray(), reconstruction, sizes, keyframes, qp);
    }

    /// <summary>FFmpeg's decode as yuv420p; asserts it said nothing on stderr.</summary>
    public static byte[] Decode(TempDirectory directory, byte[] stream)
    {
        string input = directory.File($"stream-{Guid.NewGuid():N}.h264"), output = directory.File($"decoded-{Guid.NewGuid():N}.yuv");
        File.WriteAllBytes(input, stream);
        var (exitCode, _, stderr) = Ffmpeg.Run("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", input, "-f", "rawvideo", "-pix_fmt", "yuv420p", output);
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        return File.ReadAllBytes(output);
    }

    /// <summary>Asserts equality and names the first differing frame, plane and sample.</summary>
    public static void AssertSamePictures(byte[] expected, byte[] actual, int width, int height)
    {
        Assert.Equal(expected.Length, actual.Length);
        int mismatch = expected.AsSpan().CommonPrefixLength(actual);
        if (mismatch == expected.Length)
            return;
        int frameSize = YuvPlanes.I420Size(width, height);
        int offset = mismatch % frameSize;
        string plane = offset < width * height ? $"Y x={offset % width} y={offset / width}" : offset < width * height * 5 / 4 ? "U" : "V";
        Assert.Fail($"Decoded picture differs from our reconstruction in frame {mismatch / frameSize}, {plane}: decoder {actual[mismatch]}, ours {expected[mismatch]}.");
    }

    public static double Psnr(byte[] a, byte[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = a[i] - b[i];
            sum += d * d;
        }
        return sum == 0 ? 100 : 10 * Math.Log10(255.0 * 255.0 * a.Length / sum);
    }
}
