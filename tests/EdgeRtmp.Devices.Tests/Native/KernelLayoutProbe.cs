using System.Diagnostics;

namespace EdgeRtmp.Devices.Tests.Native;

/// <summary>
/// Compiles a small C program against this machine's kernel headers and runs it; the program prints "name value" lines
/// (sizeof, offsetof, ioctl numbers) that layout tests compare with ours. The headers are the authority, not our notes.
/// </summary>
internal static class KernelLayoutProbe
{
    /// <summary>Compiles <paramref name="cSource"/> with gcc, runs it, and returns its "name value" lines as a dictionary.</summary>
    public static IReadOnlyDictionary<string, ulong> Run(string name, string cSource) => Run(name, cSource, arm64: false);

    /// <summary>
    /// The same for the box's ABI when <paramref name="arm64"/>: compiled with aarch64-linux-gnu-gcc against the arm64
    /// kernel headers (linux-libc-dev-arm64-cross) as a static binary, run under qemu-aarch64 user emulation.
    /// </summary>
    public static IReadOnlyDictionary<string, ulong> Run(string name, string cSource, bool arm64)
    {
        string dir = Path.Combine(Path.GetTempPath(), "edgertmp-layout-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string source = Path.Combine(dir, name + ".c");
        string binary = Path.Combine(dir, name + (arm64 ? "-arm64" : ""));
        File.WriteAllText(source, cSource);
        string output;
        if (arm64)
        {
            RunProcess(FindTool("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-gcc-12"), ["-O0", "-static", "-o", binary, source]);
            output = RunProcess(FindTool("qemu-aarch64", "qemu-aarch64-static"), [binary]);
        }
        else
        {
            RunProcess("gcc", ["-O0", "-o", binary, source]);
            output = RunProcess(binary, []);
        }
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ', 2);
            values[parts[0]] = parts[1].StartsWith("0x", StringComparison.Ordinal)
                ? Convert.ToUInt64(parts[1][2..], 16)
                : ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return values;
    }

    /// <summary>The first of <paramref name="names"/> on PATH; a missing cross toolchain fails the test with the packages to install.</summary>
    private static string FindTool(params string[] names)
    {
        foreach (string name in names)
        {
            foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
            {
                string candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException(
            $"none of {string.Join(", ", names)} on PATH: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static");
    }

    private static string RunProcess(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {stderr}");
        }

        return stdout.Result;
    }
}
