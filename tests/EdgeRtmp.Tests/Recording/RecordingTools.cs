using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Tests.Recording;

/// <summary>ffmpeg/ffprobe for the recorder's tests (scripts/test.sh installs them; missing tools fail, never skip).</summary>
internal static class RecordingTools
{
    public static (int ExitCode, string Output, string Error) Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + tool);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} did not finish within 120 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>An FLV of H.264 (a keyframe every second) and AAC, made once per path.</summary>
    public static string MakeSource(string path, int seconds)
    {
        if (!File.Exists(path))
        {
            var (code, _, error) = Run("ffmpeg", "-v", "error", "-y",
                "-f", "lavfi", "-i", $"testsrc2=size=160x120:rate=10:duration={seconds}",
                "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=44100:duration={seconds}",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-keyint_min", "10", "-sc_threshold", "0", "-bf", "0",
                "-c:a", "aac", "-b:a", "64k", "-f", "flv", path + ".tmp");
            Assert.True(code == 0, "ffmpeg could not make the source: " + error);
            File.Move(path + ".tmp", path, overwrite: true);
        }

        return path;
    }

    /// <summary>The file's tags as pooled frames, classified as the pipeline does.</summary>
    public static List<MediaFrame> ReadFrames(string path)
    {
        var frames = new List<MediaFrame>();
        using var reader = new FlvFileReader(File.OpenRead(path));
        reader.ReadHeaderAsync().AsTask().GetAwaiter().GetResult();
        while (reader.ReadTagAsync().AsTask().GetAwaiter().GetResult())
        {
            FlvTag tag = reader.Current;
            byte[] body = tag.Payload.ToArray();
            if (FlvFrames.TryClassify(tag.TagType, body, out MediaKind kind, out MediaFrameFlags flags, out int skip))
            {
                frames.Add(MediaFramePool.Shared.Rent(kind, tag.Timestamp, flags, body.AsSpan(skip)));
            }
        }

        return frames;
    }

    public static double Duration(string path)
    {
        var (code, output, error) = Run("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path);
        Assert.True(code == 0, $"ffprobe failed on {path}: {error}");
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the first video frame ffprobe reads is a keyframe.</summary>
    public static bool StartsWithKeyframe(string path) => FirstVideoFrame(path) == "1";

    /// <summary>ffprobe's key_frame of the first video frame: "1" for a keyframe.</summary>
    public static string FirstVideoFrame(string path)
    {
        var (code, output, error) = Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
            "-show_entries", "frame=key_frame", "-of", "csv=p=0", path);
        Assert.True(code == 0, $"ffprobe failed on {path}: {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim().TrimEnd(',');
    }
}
