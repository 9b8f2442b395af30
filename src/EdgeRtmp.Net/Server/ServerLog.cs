using System.Net;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Server;

/// <summary>The server's log lines. Keys never appear in them: only stream names without their query.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "RTMP server listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, EndPoint endPoint);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "#{Session} accepted from {Remote}")]
    public static partial void Accepted(ILogger logger, long session, EndPoint? remote);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "#{Session} {Remote} closed: {Reason}")]
    public static partial void Closed(ILogger logger, long session, EndPoint? remote, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "#{Session} {Remote} closed: {Reason}")]
    public static partial void ClosedAfterKeyRefusal(ILogger logger, long session, EndPoint? remote, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Refused {Remote}: already {Limit} connections (Server:MaxConnections)")]
    public static partial void ConnectionLimit(ILogger logger, EndPoint? remote, int limit);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Accept failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "#{Session} failed")]
    public static partial void SessionFailed(ILogger logger, long session, Exception error);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "#{Session} {Remote} connected to '{App}' ({FlashVer})")]
    public static partial void Connected(ILogger logger, long session, EndPoint? remote, string app, string flashVer);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "#{Session} {Remote} asked for unknown application '{App}'")]
    public static partial void UnknownApp(ILogger logger, long session, EndPoint? remote, string app);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug, Message = "#{Session} ignored command '{Command}'")]
    public static partial void IgnoredCommand(ILogger logger, long session, string command);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "#{Session} {Remote} publishes {Path}")]
    public static partial void PublishStarted(ILogger logger, long session, EndPoint? remote, string path);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "#{Session} {Remote} may not publish '{Name}': {Reason}")]
    public static partial void PublishRefused(ILogger logger, long session, EndPoint? remote, string name, string reason);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "#{Session} stopped publishing {Path}")]
    public static partial void PublishStopped(ILogger logger, long session, string path);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Information, Message = "#{Session} {Remote} plays {Path} (live now: {Live})")]
    public static partial void PlayStarted(ILogger logger, long session, EndPoint? remote, string path, bool live);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Warning, Message = "#{Session} {Remote} may not play '{Name}': {Reason}")]
    public static partial void PlayRefused(ILogger logger, long session, EndPoint? remote, string name, string reason);

    [LoggerMessage(EventId = 2032, Level = LogLevel.Information, Message = "#{Session} stopped playing {Path}")]
    public static partial void PlayStopped(ILogger logger, long session, string path);
}
