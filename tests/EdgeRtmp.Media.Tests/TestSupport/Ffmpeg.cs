using System.Diagnostics;

namespace EdgeRtmp.Media.Tests.TestSupport;

/// <summary>Runs ffmpeg/ffprobe to completion. A missing tool fails the test (never skips) with how to get it.</summary>
public static class Ffmpeg
{
    public static (int ExitCode, string StdOut, string StdErr) Run(string tool, string arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"{tool} is not installed or not on PATH ({e.Message}); scripts/test.sh installs ffmpeg (apt-get install ffmpeg)");
            throw;
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{tool} {arguments} did not finish in time");
            }

            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>The test file the brief describes: 3 s of 320x240 H.264 (GOP 25) and AAC, as FLV.</summary>
    public static byte[] MakeTestFlv(string directory, double seconds = 3)
    {
        string path = Path.Combine(directory, "in.flv");
        var (code, _, err) = Run("ffmpeg",
            $"-hide_banner -nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 " +
            $"-t {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} -c:v libx264 -g 25 -c:a aac -f flv \"{path}\"");
        Assert.True(code == 0, $"ffmpeg could not make the test FLV (libx264 and the aac encoder are needed): {err}");
        return File.ReadAllBytes(path);
    }
}

/// <summary>A temporary directory removed at the end of the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edgertmp-flv-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
