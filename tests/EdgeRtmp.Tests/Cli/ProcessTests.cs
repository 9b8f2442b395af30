using System.Diagnostics;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Cli;

/// <summary>
/// The built program as a real child process of a parent named systemd (<see cref="SystemdLauncher"/>), so the
/// systemd hosting package is on: READY/STOPPING from its lifetime, signals, the systemd log format.
/// </summary>
public class ProcessTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_stops_run_gracefully_with_exit_code_0(string signal)
    {
        using var notify = new NotifySocket();
        using var launcher = new SystemdLauncher();
        var start = launcher.StartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "edgertmp.dll"),
            "run", "--listen", "127.0.0.1:0", "--video", "none", "--audio", "none"]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["NOTIFY_SOCKET"] = notify.Address;
        start.Environment["INVOCATION_ID"] = "test";
        start.Environment.Remove("JOURNAL_STREAM");
        start.Environment.Remove("WATCHDOG_USEC");
        start.Environment.Remove("WATCHDOG_PID");
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("EDGERTMP__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            Assert.StartsWith("STATUS=serving rtmp://127.0.0.1:", await notify.ReceiveAsync(s_timeout), StringComparison.Ordinal);
            Assert.Equal("READY=1", await notify.ReceiveAsync(s_timeout));

            var service = await SystemdLauncher.ChildOfAsync(process, s_timeout);
            using (var kill = Process.Start("kill", ["-" + signal, service.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            Assert.Equal("STOPPING=1", await notify.ReceiveAsync(s_timeout));
            await process.WaitForExitAsync().WaitAsync(s_timeout);
        }
        catch (TimeoutException exception)
        {
            // What the service logged says whether it saw the signal at all; kill it first so its output ends.
            process.Kill();
            throw new TimeoutException($"{exception.Message}\nstdout:\n{await output}\nstderr:\n{await error}", exception);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        var log = await output;
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{log}\n{await error}");
        Assert.Equal("", await error);

        // The systemd console formatter: "<6>Category[EventId] message", one line each, for journald.
        Assert.Contains("<6>EdgeRtmp.Server[1002] Listening on 127.0.0.1:", log, StringComparison.Ordinal);
        Assert.Contains("<6>EdgeRtmp.Server[1008] Stopped", log, StringComparison.Ordinal);
    }
}
