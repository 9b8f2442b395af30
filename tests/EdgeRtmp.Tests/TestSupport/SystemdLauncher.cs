using System.Diagnostics;
using System.Globalization;

namespace EdgeRtmp.Tests.TestSupport;

/// <summary>
/// Starts a program whose parent process is named <c>systemd</c>: the systemd hosting package turns itself on only
/// then (and with NOTIFY_SOCKET set). The parent is bash under a link named <c>systemd</c> (a process's name is the
/// file name it was started by), running the program as a foreground child and exiting with its status.
/// </summary>
public sealed class SystemdLauncher : IDisposable
{
    private readonly TempDirectory _directory = new();

    public SystemdLauncher()
    {
        File.CreateSymbolicLink(_directory.File("systemd"), "/bin/bash");
    }

    /// <summary>Start info for <paramref name="program"/> with <paramref name="arguments"/> under the launcher.</summary>
    public ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments)
    {
        // "; exit $?" keeps bash from replacing itself with the program, so it stays the parent. systemd starts a
        // service with default signal dispositions, but a test run started in the background by a shell without job
        // control inherits SIGINT and SIGQUIT ignored, and the runtime then never sees SIGINT: env puts them back.
        var start = new ProcessStartInfo(_directory.File("systemd"),
            ["-c", "env --default-signal=INT,QUIT \"$@\"; exit $?", "systemd", program, .. arguments]);
        return start;
    }

    /// <summary>The launched program's pid (the launcher's only child), once it exists.</summary>
    public static async Task<int> ChildOfAsync(Process launcher, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        var children = $"/proc/{launcher.Id}/task/{launcher.Id}/children";
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var text = File.Exists(children) ? (await File.ReadAllTextAsync(children)).Trim() : "";
            if (text.Length > 0)
            {
                return int.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"the launcher {launcher.Id} started no child within {timeout}");
    }

    public void Dispose() => _directory.Dispose();
}
