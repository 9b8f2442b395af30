using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>Log lines of the appliance's host; event ids 1000–1099 are stable (people grep the journal for them).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "edgertmp {Version} starting; configuration: {ConfigSource}")]
    public static partial void Starting(ILogger logger, string version, string configSource);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Listening on {EndPoint}; play at {PlayUrl}")]
    public static partial void Listening(ILogger logger, string endPoint, string playUrl);





    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Stopping: closing every session")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "systemd watchdog armed: pinging every {Interval}")]
    public static partial void WatchdogArmed(ILogger logger, TimeSpan interval);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "Not feeding the systemd watchdog: {Reason}; systemd restarts the service if this lasts")]
    public static partial void WatchdogWithheld(ILogger logger, string reason);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Information, Message = "Healthy again: feeding the systemd watchdog")]
    public static partial void WatchdogResumed(ILogger logger);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Viewers: {Count}")]
    public static partial void ViewerCountChanged(ILogger logger, int count);
}
