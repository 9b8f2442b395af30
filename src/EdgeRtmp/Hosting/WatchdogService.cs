using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Sends WATCHDOG=1 at half of WATCHDOG_USEC while the service is healthy (<see cref="ServiceHealth"/>: the server
/// serves and the video pipeline is not stuck). When it stops being healthy the pings stop, with the reason logged,
/// and systemd restarts us after WatchdogSec: that is the point of the watchdog.
/// </summary>
public sealed class WatchdogService : BackgroundService
{
    private readonly IServiceNotifier _notifier;
    private readonly ServiceHealth _health;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public WatchdogService(IServiceNotifier notifier, ServiceHealth health, ILogger<WatchdogService> logger, TimeProvider time)
    {
        _notifier = notifier;
        _health = health;
        _logger = logger;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_notifier.WatchdogInterval is not { } interval)
        {
            return;
        }

        HostingLog.WatchdogArmed(_logger, interval);
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            string? withheldFor = null;
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                string? reason = _health.UnhealthyReason;
                if (reason is null)
                {
                    _notifier.Watchdog();
                    if (withheldFor is not null)
                    {
                        HostingLog.WatchdogResumed(_logger);
                        withheldFor = null;
                    }
                }
                else if (reason != withheldFor)
                {
                    HostingLog.WatchdogWithheld(_logger, reason);
                    withheldFor = reason;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
