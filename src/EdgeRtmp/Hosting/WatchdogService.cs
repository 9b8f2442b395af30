using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Sends WATCHDOG=1 at half of WATCHDOG_USEC while the service is healthy. When it stops being healthy the pings
/// stop and systemd restarts us after WatchdogSec: that is the point of the watchdog.
/// </summary>
public sealed class WatchdogService : BackgroundService
{
    private readonly IServiceNotifier _notifier;
    private readonly ServiceHealth _health;
    private readonly ILogger _logger;

    public WatchdogService(IServiceNotifier notifier, ServiceHealth health, ILogger<WatchdogService> logger)
    {
        _notifier = notifier;
        _health = health;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_notifier.WatchdogInterval is not { } interval)
        {
            return;
        }

        HostingLog.WatchdogArmed(_logger, interval);
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_health.IsHealthy)
                {
                    _notifier.Watchdog();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
