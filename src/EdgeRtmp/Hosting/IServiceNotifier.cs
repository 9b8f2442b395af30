namespace EdgeRtmp.Hosting;

/// <summary>
/// What we tell the service manager beyond the lifetime the systemd package handles itself (READY=1 when the host
/// has started, STOPPING=1 when it stops): the STATUS line and the watchdog. A no-op outside systemd.
/// </summary>
public interface IServiceNotifier
{
    /// <summary>How often <see cref="Watchdog"/> must be called; null when no watchdog is armed for us.</summary>
    TimeSpan? WatchdogInterval { get; }

    /// <summary>One line shown by <c>systemctl status</c>.</summary>
    void Status(string status);

    void Watchdog();
}
