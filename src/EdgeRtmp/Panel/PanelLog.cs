using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Panel;

/// <summary>The panel's log lines; event ids 1400–1449 are stable.</summary>
internal static partial class PanelLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Panel on {Chip} ({Driver} driver): {Lines}")]
    public static partial void Opened(ILogger logger, string chip, string driver, string lines);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Error, Message = "Panel unavailable, streaming goes on without it: {Reason}")]
    public static partial void Unavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Live button: {Action}")]
    public static partial void LiveButton(ILogger logger, string action);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Live button held: restarting the pipeline and reconnecting upstream")]
    public static partial void Restart(ILogger logger);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Record button: recording {State}")]
    public static partial void RecordButton(ILogger logger, string state);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Error, Message = "Panel: {Reason}")]
    public static partial void Failed(ILogger logger, string reason);
}
