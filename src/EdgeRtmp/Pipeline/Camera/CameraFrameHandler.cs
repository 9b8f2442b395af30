using EdgeRtmp.Media;
using EdgeRtmp.Media.H264;
using System.Diagnostics;
using EdgeRtmp.Devices.V4l2;

namespace EdgeRtmp.Pipeline.Camera;

/// <summary>
/// Runs on the camera's device thread: stamps each H.264 access unit (from the camera or the M2M encoder) with its
/// capture time on the <see cref="PipelineClock"/> and packages it for the stream. One access unit per V4L2 buffer
/// (what UVC, v4l2loopback writers and M2M encoders deliver). Parameter sets a camera sent once stay known to the
/// packager across runs, so after a replug its next IDR plays with them: players get them in the AVC sequence header,
/// which the hub keeps for every late joiner (RTMP's form of "SPS/PPS before each IDR"). Allocation-free per frame.
/// </summary>
internal sealed class CameraFrameHandler : IV4l2FrameHandler
{
    /// <summary>A frame older than this on arrival has a timestamp we do not trust (another clock, a driver bug): use arrival time.</summary>
    private const long MaxAgeMicroseconds = 2_000_000;

    private readonly PipelineClock _clock;
    private H264FramePackager _packager;
    private IMediaSink? _sink;
    private double _framesPerSecond;

    public CameraFrameHandler(PipelineClock clock, double framesPerSecond)
    {
        _clock = clock;
        _framesPerSecond = framesPerSecond;
        _packager = new H264FramePackager(framesPerSecond > 0 ? framesPerSecond : null);
    }

    /// <summary>Access units dropped while waiting for parameter sets or a keyframe.</summary>
    public long DroppedPictures => _packager.DroppedPictures;

    /// <summary>Starts a run: frames go to <paramref name="sink"/>, the first one a keyframe.</summary>
    public void Begin(IMediaSink sink, double framesPerSecond)
    {
        _sink = sink;
        if (Math.Abs(framesPerSecond - _framesPerSecond) > 0.01)
        {
            // A different rate (the camera changed it): onMetaData must say so.
            _framesPerSecond = framesPerSecond;
            _packager = new H264FramePackager(framesPerSecond > 0 ? framesPerSecond : null);
        }

        _packager.Restart();
    }

    public void OnFrame(ReadOnlySpan<byte> payload, in V4l2Frame frame)
    {
        if (_sink is null || frame.PixelFormat != V4l2PixelFormat.H264)
        {
            return;
        }

        uint timestamp = frame.IsMonotonic
            ? PipelineClock.ToTimestamp(CaptureTime(_clock.Elapsed, MonotonicMicroseconds(), frame.TimestampMicroseconds))
            : _clock.Now;
        _packager.Write(payload, timestamp, _sink);
    }

    /// <summary>
    /// When, on the pipeline clock, a frame captured at <paramref name="captureMicroseconds"/> (CLOCK_MONOTONIC) was
    /// taken: now on the pipeline clock minus the frame's age. Both clocks are monotonic, so only the age matters.
    /// </summary>
    internal static TimeSpan CaptureTime(TimeSpan pipelineNow, long monotonicNowMicroseconds, long captureMicroseconds)
    {
        long age = monotonicNowMicroseconds - captureMicroseconds;
        if (age is < 0 or > MaxAgeMicroseconds)
        {
            age = 0;
        }

        TimeSpan at = pipelineNow - TimeSpan.FromMicroseconds(age);
        return at < TimeSpan.Zero ? TimeSpan.Zero : at;
    }

    /// <summary>CLOCK_MONOTONIC now, in microseconds: Stopwatch reads that clock on Linux.</summary>
    private static long MonotonicMicroseconds() =>
        Stopwatch.Frequency == 1_000_000_000 ? Stopwatch.GetTimestamp() / 1000 : (long)(Stopwatch.GetTimestamp() * (1e6 / Stopwatch.Frequency));
}
