using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline;

/// <summary>Log lines of the media pipeline; event ids 1100–1199 are stable.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Source: {Source} ({Reason}); publishing to {Stream}")]
    public static partial void SourceChosen(ILogger logger, string source, string reason, string stream);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Source failed: {Reason}; restarting in {DelaySeconds:0.#} s")]
    public static partial void SourceFailed(ILogger logger, string reason, double delaySeconds);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Debug, Message = "Source failed again, as before: {Reason}; restarting in {DelaySeconds:0.#} s")]
    public static partial void SourceFailedAgain(ILogger logger, string reason, double delaySeconds);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Source {Source} producing again after {Failures} failed run(s)")]
    public static partial void SourceRecovered(ILogger logger, string source, int failures);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Information, Message = "Source {Source}: what it waits for has appeared; running it now")]
    public static partial void RetryingEarly(ILogger logger, string source);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Source producing: first frame after {Milliseconds} ms")]
    public static partial void FirstFrame(ILogger logger, long milliseconds);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Stream {Stream} is already being published; the pipeline does not run")]
    public static partial void StreamTaken(ILogger logger, string stream);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "exec: started pid {ProcessId}: /bin/sh -c \"{Command}\"")]
    public static partial void ExecStarted(ILogger logger, int processId, string command);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "exec stderr: {Line}")]
    public static partial void ExecStandardError(ILogger logger, string line);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Video source none: serving external publishers only")]
    public static partial void NoVideoSource(ILogger logger);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Information, Message = "Source {Source} restarted on request")]
    public static partial void SourceRestarted(ILogger logger, string source);
}
