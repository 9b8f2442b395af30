namespace EdgeRtmp.Interop.Tests.Support;

public static class Tools
{
    /// <summary>The full path of a peer program; fails the test (never skips) when it is missing.</summary>
    public static string Require(string program)
    {
        if (program.Contains('/'))
        {
            return program;
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (string directory in new[] { "/usr/sbin", "/sbin", "/usr/bin" })
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{program}' is not installed; scripts/test.sh installs the test peers (apt-get install ffmpeg nginx libnginx-mod-rtmp).");
    }
}
