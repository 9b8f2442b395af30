using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeRtmp.Hosting;

/// <summary>
/// STATUS= and WATCHDOG=1 through the systemd package's <see cref="ISystemdNotifier"/>, which sends a state
/// verbatim. The package sends no watchdog pings and does not read <c>WATCHDOG_USEC</c>: the interval is ours.
/// Without a notifier (not under systemd) nothing is sent and no watchdog is armed.
/// </summary>
public sealed class ServiceNotifier : IServiceNotifier
{
    private static readonly ServiceState s_watchdog = new("WATCHDOG=1");
    private readonly ISystemdNotifier? _systemd;

    public ServiceNotifier(ISystemdNotifier? systemd, IReadOnlyDictionary<string, string?> environment, int processId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _systemd = systemd is { IsEnabled: true } ? systemd : null;
        WatchdogInterval = _systemd is null ? null : ReadWatchdogInterval(environment, processId);
    }

    public TimeSpan? WatchdogInterval { get; }

    public void Status(string status)
    {
        ArgumentNullException.ThrowIfNull(status);

        // STATUS is one line; a newline would start another KEY=value.
        _systemd?.Notify(new ServiceState("STATUS=" + status.ReplaceLineEndings(" ")));
    }

    public void Watchdog() => _systemd?.Notify(s_watchdog);

    /// <summary>Half of <c>WATCHDOG_USEC</c>, when it is set and <c>WATCHDOG_PID</c> is unset or ours.</summary>
    public static TimeSpan? ReadWatchdogInterval(IReadOnlyDictionary<string, string?> environment, int processId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!ulong.TryParse(environment.GetValueOrDefault("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) ||
            microseconds == 0)
        {
            return null;
        }

        var pidText = environment.GetValueOrDefault("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pidText) &&
            (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds / 2);
    }
}
