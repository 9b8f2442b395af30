using System.Diagnostics;

namespace EdgeRtmp.Media.Tests;

/// <summary>Runs the real ffmpeg/ffprobe. Missing tools fail the test (never skip it).</summary>
internal static class Ffmpeg
{
    private const string Missing = "ffmpeg/ffprobe not found on PATH: run scripts/test.sh, which installs them (apt-get install ffmpeg).";

    public static void RequireInstalled()
    {
        foreach (string tool in new[] { "ffmpeg", "ffprobe" })
        {
            bool found = (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Any(directory => File.Exists(Path.Combine(directory, tool)));
            Assert.True(found, Missing);
        }
    }

    /// <summary>Runs a tool to completion; returns (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string StandardOutput, string StandardError) Run(string tool, params string[] arguments)
    {
        RequireInstalled();
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} {string.Join(' ', arguments)} did not finish within 120 s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static void RunOrFail(string tool, params string[] arguments)
    {
        var (exitCode, _, stderr) = Run(tool, arguments);
        Assert.True(exitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {exitCode}: {stderr}");
    }

    /// <summary>ffprobe's view of the first video stream as key=value pairs.</summary>
    public static Dictionary<string, string> ProbeVideoStream(string path)
    {
        var (exitCode, stdout, stderr) = Run("ffprobe", "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,profile,level,r_frame_rate", "-of", "default=noprint_wrappers=1", path);
        Assert.True(exitCode == 0, $"ffprobe failed on {path}: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
    }

    /// <summary>Runs ffmpeg and hands its stdout to <paramref name="consume"/> as a stream (for raw video).</summary>
    public static string RunStreaming(Action<Stream> consume, params string[] arguments)
    {
        RequireInstalled();
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            consume(process.StandardOutput.BaseStream);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.StandardOutput.BaseStream.CopyTo(Stream.Null);
                process.WaitForExit(60_000);
            }
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ffmpeg {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}");
        return stderr.Result;
    }

    /// <summary>3 s of 320x240 H.264 (GOP 25) and AAC as FLV, made in <paramref name="directory"/>; returns its bytes.</summary>
    public static byte[] MakeTestFlv(string directory, double seconds = 3)
    {
        string path = Path.Combine(directory, "in.flv");
        RunOrFail("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-g", "25", "-c:a", "aac", "-f", "flv", path);
        return File.ReadAllBytes(path);
    }
}

/// <summary>A temporary directory removed when the test class or fixture is disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edgertmp-media-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
