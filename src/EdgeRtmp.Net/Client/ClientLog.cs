using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Client;

/// <summary>Log lines of the upstream client; event ids 2200–2299 are stable.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Upstream {Url}: connecting")]
    public static partial void Connecting(ILogger logger, string url);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Upstream {Url}: live")]
    public static partial void Live(ILogger logger, string url);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Upstream {Url}: {Reason}; retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string url, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "Upstream {Url} refuses us: {Reason}; trying again in {Delay}")]
    public static partial void Refused(ILogger logger, string url, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Information, Message = "Upstream {Url}: unpublished ({Reason})")]
    public static partial void Unpublished(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning, Message = "Upstream {Url}: {Dropped} video frames dropped so far (the upstream link is slower than the stream)")]
    public static partial void FramesDropped(ILogger logger, string url, long dropped);
}
