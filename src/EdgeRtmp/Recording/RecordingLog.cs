using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Recording;

/// <summary>The recorder's log lines; event ids 1450–1499 are stable.</summary>
internal static partial class RecordingLog
{
    [LoggerMessage(EventId = 1450, Level = LogLevel.Information, Message = "Recording segment {Path}")]
    public static partial void SegmentOpened(ILogger logger, string path);

    [LoggerMessage(EventId = 1451, Level = LogLevel.Information, Message = "Recorded {Path}: {Seconds:0.0} s, {Bytes} bytes")]
    public static partial void SegmentClosed(ILogger logger, string path, double seconds, long bytes);

    [LoggerMessage(EventId = 1452, Level = LogLevel.Information, Message = "Retention (Record:MaxBytes {MaxBytes}): deleted {Path}")]
    public static partial void SegmentDeleted(ILogger logger, long maxBytes, string path);

    [LoggerMessage(EventId = 1453, Level = LogLevel.Error, Message = "Recording stopped: {Directory} has {FreeBytes} bytes free, below Record:MinFreeBytes {MinFreeBytes}; streaming goes on")]
    public static partial void FloorReached(ILogger logger, string directory, long freeBytes, long minFreeBytes);

    [LoggerMessage(EventId = 1454, Level = LogLevel.Information, Message = "Recording resumes: {Directory} has {FreeBytes} bytes free again")]
    public static partial void FloorCleared(ILogger logger, string directory, long freeBytes);

    [LoggerMessage(EventId = 1455, Level = LogLevel.Error, Message = "Recording stopped: {Reason}; streaming goes on")]
    public static partial void WriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1456, Level = LogLevel.Information, Message = "Recording {State}")]
    public static partial void Toggled(ILogger logger, string state);

    [LoggerMessage(EventId = 1457, Level = LogLevel.Warning, Message = "Recorder fell behind the disk: dropped {Frames} frames (video until the next keyframe)")]
    public static partial void Dropped(ILogger logger, long frames);
}
