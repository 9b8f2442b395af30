using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Camera;

/// <summary>Log lines of the camera source and <c>auto</c>; event ids 1400–1419 are stable.</summary>
internal static partial class CameraLog
{
    [LoggerMessage(EventId = 1180, Level = LogLevel.Information, Message = "video {Reason}")]
    public static partial void Chosen(ILogger logger, string reason);

    [LoggerMessage(EventId = 1181, Level = LogLevel.Debug, Message = "video auto: not taken: {Reason}")]
    public static partial void NotTaken(ILogger logger, string reason);

    [LoggerMessage(EventId = 1182, Level = LogLevel.Information, Message = "camera {Device}: streaming {Format} ('{Card}', {Driver}, {Buffers} buffers)")]
    public static partial void Streaming(ILogger logger, string device, string format, string card, string driver, int buffers);

    [LoggerMessage(EventId = 1183, Level = LogLevel.Warning, Message = "camera {Device}: the format differs from the request: {Adjustment}")]
    public static partial void FormatAdjusted(ILogger logger, string device, string adjustment);

    [LoggerMessage(EventId = 1184, Level = LogLevel.Information, Message = "encoder {Device} ('{Card}', {Driver}): controls set: {Applied}; not offered: {Skipped}")]
    public static partial void EncoderOpened(ILogger logger, string device, string card, string driver, string applied, string skipped);

    [LoggerMessage(EventId = 1185, Level = LogLevel.Warning, Message = "camera {Device} is gone ({Reason}); waiting up to {Seconds} s for it to return")]
    public static partial void Unplugged(ILogger logger, string device, string reason, double seconds);

    [LoggerMessage(EventId = 1186, Level = LogLevel.Information, Message = "camera {Device} is back after {Seconds:0.0} s; streaming again")]
    public static partial void Replugged(ILogger logger, string device, double seconds);

    [LoggerMessage(EventId = 1187, Level = LogLevel.Information, Message = "camera {Device}: {Frames} frames captured, {Coded} coded, {Dropped} dropped, {Allocated} bytes allocated on the device thread after warm-up, {CpuMicroseconds:0.#} µs CPU per frame")]
    public static partial void RunStatistics(ILogger logger, string device, long frames, long coded, long dropped, long allocated, double cpuMicroseconds);

    [LoggerMessage(EventId = 1188, Level = LogLevel.Information, Message = "camera {Device} found: {Reason}")]
    public static partial void Found(ILogger logger, string device, string reason);
}
