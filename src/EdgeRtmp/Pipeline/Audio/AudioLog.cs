using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline.Audio;

/// <summary>Log lines of the audio sources; event ids 1150–1179 (inside the pipeline's 1100–1199) are stable.</summary>
internal static partial class AudioLog
{
    [LoggerMessage(EventId = 1150, Level = LogLevel.Information, Message = "Audio source: {Source} ({Reason})")]
    public static partial void SourceChosen(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 1151, Level = LogLevel.Information,
        Message = "alsa: opened {Device}: {SampleRate} Hz, {Channels} channel(s), {Format}, period {PeriodFrames} and buffer {BufferFrames} frames")]
    public static partial void AlsaOpened(ILogger logger, string device, int sampleRate, int channels, string format, int periodFrames, int bufferFrames);

    [LoggerMessage(EventId = 1152, Level = LogLevel.Warning,
        Message = "alsa: {Device} gives {Actual} where {Requested} was configured; encoding what it gives")]
    public static partial void AlsaAdjusted(ILogger logger, string device, string actual, string requested);

    [LoggerMessage(EventId = 1153, Level = LogLevel.Warning, Message = "alsa: {Device} audio lost: {Overruns} device overruns (capture restarted) and {Refused} frames the encoder had no room for, so far; logged at most every 10 s")]
    public static partial void AlsaOverrun(ILogger logger, string device, long overruns, long refused);

    [LoggerMessage(EventId = 1154, Level = LogLevel.Information,
        Message = "alsa: {Device} clock {DriftPpm:+0.0;-0.0} ppm against ours, A/V offset {OffsetMs:0.0} ms; {Dropped} samples dropped, {Inserted} inserted, {Steps} steps")]
    public static partial void AlsaClock(ILogger logger, string device, double driftPpm, double offsetMs, long dropped, long inserted, int steps);

    [LoggerMessage(EventId = 1155, Level = LogLevel.Information, Message = "exec audio: started pid {ProcessId}: /bin/sh -c \"{Command}\"")]
    public static partial void ExecStarted(ILogger logger, int processId, string command);

    [LoggerMessage(EventId = 1156, Level = LogLevel.Debug, Message = "exec audio stderr: {Line}")]
    public static partial void ExecStandardError(ILogger logger, string line);

    [LoggerMessage(EventId = 1157, Level = LogLevel.Information, Message = "exec audio: ADTS {SampleRate} Hz, channel configuration {Channels}, object type {ObjectType}")]
    public static partial void ExecFormat(ILogger logger, int sampleRate, int channels, int objectType);

    [LoggerMessage(EventId = 1158, Level = LogLevel.Information, Message = "file audio: {Path}: {SampleRate} Hz, {Channels} channel(s), {Seconds:0.0} s, looped")]
    public static partial void WavOpened(ILogger logger, string path, int sampleRate, int channels, double seconds);
}
