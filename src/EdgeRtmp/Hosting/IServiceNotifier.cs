namespace EdgeRtmp.Hosting;

/// <summary>Tells the service manager how we are doing (systemd's sd_notify protocol, or nothing).</summary>
public interface IServiceNotifier
{
    /// <summary>How often <see cref="Watchdog"/> must be called; null when no watchdog is armed for us.</summary>
    TimeSpan? WatchdogInterval { get; }

    void Ready();

    /// <summary>One line shown by <c>systemctl status</c>.</summary>
    void Status(string status);

    void Watchdog();

    void Stopping();
}
