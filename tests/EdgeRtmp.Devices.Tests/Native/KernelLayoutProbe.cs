using System.Diagnostics;

namespace EdgeRtmp.Devices.Tests.Native;

/// <summary>
/// Compiles a small C program against this machine's kernel headers and runs it; the program prints "name value" lines
/// (sizeof, offsetof, ioctl numbers) that layout tests compare with ours. The headers are the authority, not our notes.
/// </summary>
internal static class KernelLayoutProbe
{
    /// <summary>Compiles <paramref name="cSource"/> with gcc, runs it, and returns its "name value" lines as a dictionary.</summary>
    public static IReadOnlyDictionary<string, ulong> Run(string name, string cSource)
    {
        string dir = Path.Combine(Path.GetTempPath(), "edgertmp-layout-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string source = Path.Combine(dir, name + ".c");
        string binary = Path.Combine(dir, name);
        File.WriteAllText(source, cSource);
        RunProcess("gcc", ["-O0", "-o", binary, source]);
        string output = RunProcess(binary, []);
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
