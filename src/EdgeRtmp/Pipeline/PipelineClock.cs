namespace EdgeRtmp.Pipeline;

/// <summary>
/// The one clock the sources of a pipeline stamp their frames with, so audio and video line up: milliseconds since
/// the clock was made, from <see cref="TimeProvider.GetTimestamp"/> (monotonic, unaffected by wall-clock changes), as
/// the 32-bit RTMP timestamp that wraps after 49.7 days. Media code never reads a clock; sources get this one. Tests
/// pass a fake <see cref="TimeProvider"/> and move time themselves.
/// </summary>
public sealed class PipelineClock
{
    private readonly long _start;

    public PipelineClock(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        _start = Time.GetTimestamp();
    }

    /// <summary>What timers and delays of the pipeline and its sources run on.</summary>
    public TimeProvider Time { get; }

    public TimeSpan Elapsed => Time.GetElapsedTime(_start);

    /// <summary>The RTMP timestamp for now.</summary>
    public uint Now => ToTimestamp(Elapsed);

    public static uint ToTimestamp(TimeSpan sinceStart) => unchecked((uint)(sinceStart.Ticks / TimeSpan.TicksPerMillisecond));
}
