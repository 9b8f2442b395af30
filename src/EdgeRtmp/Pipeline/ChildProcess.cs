using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace EdgeRtmp.Pipeline;

/// <summary>What the <c>exec:</c> sources (video and audio) do with their child: its stderr to the log, and its stop.</summary>
internal static class ChildProcess
{
    private const int MaxLoggedLineLength = 200;

    /// <summary>Hands each non-empty stderr line (cut to 200 characters) to <paramref name="log"/> until the pipe closes.</summary>
    public static async Task LogStandardErrorAsync(Process process, Func<bool> enabled, Action<string> log)
    {
        try
        {
            string? line;
            while ((line = await process.StandardError.ReadLineAsync().ConfigureAwait(false)) is not null)
            {
                if (line.Length > 0 && enabled())
                {
                    log(line.Length > MaxLoggedLineLength ? line[..MaxLoggedLineLength] + "…" : line);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe went away with the process.
        }
    }

    /// <summary>SIGTERM to the process group (through kill(1): interop lives in EdgeRtmp.Devices), then SIGKILL to the whole tree after <paramref name="grace"/>.</summary>
    public static async Task TerminateAsync(Process process, bool ownGroup, TimeSpan grace)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            string target = (ownGroup ? "-" : "") + process.Id.ToString(CultureInfo.InvariantCulture);
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", "--", target]) { UseShellExecute = false }))
            {
                if (kill is not null)
                {
                    await kill.WaitForExitAsync().WaitAsync(grace).ConfigureAwait(false);
                }
            }

            await process.WaitForExitAsync().WaitAsync(grace).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or Win32Exception or InvalidOperationException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
    }
}
