using System.Diagnostics;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// The one clock every source stamps its frames with: milliseconds since the pipeline started, from
/// <see cref="Stopwatch"/> (monotonic, unaffected by wall-clock changes), as the 32-bit RTMP timestamp that wraps
/// after 49.7 days. Media code never reads a clock; sources get this one.
/// </summary>
public sealed class PipelineClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>The RTMP timestamp for now.</summary>
    public uint Now => ToTimestamp(Elapsed);

    public static uint ToTimestamp(TimeSpan sinceStart) => unchecked((uint)(sinceStart.Ticks / TimeSpan.TicksPerMillisecond));
}
