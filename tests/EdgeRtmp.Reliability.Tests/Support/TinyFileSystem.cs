using System.Diagnostics;

namespace EdgeRtmp.Reliability.Tests.Support;

/// <summary>
/// A genuinely small file system for one child process: a size-limited tmpfs mounted over an empty directory in a
/// mount namespace of the child's own (<c>unshare --mount</c>, with <c>--user --map-root-user</c> when the test is not
/// privileged), so its writes meet the kernel's ENOSPC and statvfs reports the real free space. Nothing is mounted
/// on the host. The test reaches the files through <c>/proc/PID/root</c>, which resolves paths in the child's mounts.
/// </summary>
public sealed class TinyFileSystem : IDisposable
{
    private static readonly Lazy<(string[]? Unshare, string Reason)> Probe = new(ProbeUnshare);

    private TinyFileSystem(string root, long sizeBytes)
    {
        Root = root;
        Directory = Path.Combine(root, "recordings");
        System.IO.Directory.CreateDirectory(Directory);
        SizeBytes = sizeBytes;
    }

    /// <summary>Why the kernel refuses, or null when a tmpfs can be mounted in a namespace of our own here.</summary>
    public static string? UnsupportedReason => Probe.Value.Unshare is null ? Probe.Value.Reason : null;

    /// <summary>The mount point (as the child sees it; on the host an empty directory).</summary>
    public string Directory { get; }

    public long SizeBytes { get; }

    private string Root { get; }

    public static TinyFileSystem Create(long sizeBytes) =>
        new(Path.Combine(Path.GetTempPath(), "edgertmp-tinyfs-" + Guid.NewGuid().ToString("N")[..8]), sizeBytes);

    /// <summary>
    /// The command prefix that starts a program with this file system mounted at <see cref="Directory"/>: unshare
    /// execs sh, which mounts and execs the program, so the program keeps the process id the test started.
    /// </summary>
    public IReadOnlyList<string> Wrapper() =>
    [
        .. Probe.Value.Unshare ?? throw new InvalidOperationException(UnsupportedReason),
        "sh", "-c", "mount -t tmpfs -o size=\"$1\" edgertmp-tinyfs \"$2\" && shift 2 && exec \"$@\"", "sh", SizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), Directory,
    ];

    /// <summary><see cref="Directory"/> as process <paramref name="processId"/> sees it, through its /proc root.</summary>
    public string SeenBy(int processId) => $"/proc/{processId}/root{Directory}";

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (string[]? Unshare, string Reason) ProbeUnshare()
    {
        string probeDirectory = Path.Combine(Path.GetTempPath(), "edgertmp-tinyfs-probe-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(probeDirectory);
        var reasons = new List<string>();
        try
        {
            // Privileged (root in CI, with CAP_SYS_ADMIN) first; then a user namespace, which works unprivileged where
            // the kernel allows user namespaces.
            foreach (string[] unshare in new[] { new[] { "unshare", "--mount" }, ["unshare", "--user", "--map-root-user", "--mount"] })
            {
                var start = new ProcessStartInfo(unshare[0], [.. unshare[1..], "sh", "-c", "mount -t tmpfs -o size=65536 edgertmp-tinyfs \"$1\" && df -B1 \"$1\"", "sh", probeDirectory])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                try
                {
                    using Process process = Process.Start(start)!;
                    string error = process.StandardError.ReadToEnd();
                    process.StandardOutput.ReadToEnd();
                    if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
                    {
                        process.Kill();
                        reasons.Add($"{string.Join(' ', unshare)}: no answer within 20 s");
                        continue;
                    }

                    if (process.ExitCode == 0)
                    {
                        return (unshare, "");
                    }

                    reasons.Add($"{string.Join(' ', unshare)}: exit {process.ExitCode}: {error.Trim()}");
                }
                catch (System.ComponentModel.Win32Exception e)
                {
                    return (null, $"unshare (util-linux) is not installed: {e.Message}");
                }
            }

            return (null, "the kernel refuses a tmpfs in a mount namespace of our own: " + string.Join("; ", reasons));
        }
        finally
        {
            System.IO.Directory.Delete(probeDirectory);
        }
    }
}

/// <summary>
/// A fact that needs <see cref="TinyFileSystem"/>: skipped, with the kernel's reason, where an unprivileged user may
/// not mount; as root (CI, scripts/test.sh) it always runs, so a refused mount fails it instead of hiding it.
/// </summary>
public sealed class TinyFileSystemFactAttribute : FactAttribute
{
    public TinyFileSystemFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess && TinyFileSystem.UnsupportedReason is { } reason)
        {
            Skip = reason;
        }
    }
}
