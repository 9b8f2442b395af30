using System.Collections;

namespace EdgeRtmp.Cli;

/// <summary>
/// What the process gives a command: environment variables, standard streams, its id and the default config
/// path. Injected so tests run commands in-process, in parallel, without touching the real environment.
/// </summary>
public sealed record CliEnvironment
{
    public IReadOnlyDictionary<string, string?> Variables { get; init; } = new Dictionary<string, string?>();

    public TextWriter Out { get; init; } = Console.Out;

    public TextWriter Error { get; init; } = Console.Error;

    public int ProcessId { get; init; } = Environment.ProcessId;

    public string DefaultConfigFile { get; init; } = Configuration.ConfigurationRequest.DefaultPath;

    /// <summary>
    /// Null: the systemd package decides (on when our parent is systemd and NOTIFY_SOCKET is set). Tests that run
    /// commands in-process give their own notifier here, since their parent is never systemd.
    /// </summary>
    public Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier? SystemdNotifier { get; init; }

    /// <summary>The clock of every timeout, retry and watchdog tick in <c>run</c>; null: the system's. Tests give a fake one.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Under systemd (INVOCATION_ID or JOURNAL_STREAM set) logs use the systemd formatter.</summary>
    public bool UnderSystemd =>
        !string.IsNullOrEmpty(Variables.GetValueOrDefault("INVOCATION_ID")) ||
        !string.IsNullOrEmpty(Variables.GetValueOrDefault("JOURNAL_STREAM"));

    public static CliEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }

        return new CliEnvironment { Variables = variables };
    }
}
