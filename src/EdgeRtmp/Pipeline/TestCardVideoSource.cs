using System.Buffers;
using EdgeRtmp.Media;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.TestCard;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// The built-in moving test card (<see cref="TestCardEncoder"/>), paced in real time. Frame <c>n</c> is due at
/// <c>start + n × period</c> and stamped with that time (<see cref="FramePacer"/> waits for it), so the frame rate
/// never drifts however late a timer fires.
/// </summary>
public sealed class TestCardVideoSource : IMediaSource
{
    /// <summary>Further behind than this (a suspended machine, a stalled thread pool) we skip the pictures missed instead of bursting.</summary>
    private static readonly TimeSpan s_maxLag = TimeSpan.FromSeconds(1);

    private readonly TestCardEncoder _encoder;
    private readonly PipelineClock _clock;
    private readonly H264FramePackager _packager;
    private readonly ArrayBufferWriter<byte> _annexB = new(64 * 1024);

    /// <param name="pool">Where frames are rented; <see cref="MediaFramePool.Shared"/> by default.</param>
    public TestCardVideoSource(TestCardOptions options, PipelineClock clock, MediaFramePool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        options.Validate();
        _encoder = new TestCardEncoder(options);
        _clock = clock;
        _packager = new H264FramePackager(options.FramesPerSecond, pool);
        Description = $"testcard {options.Width}x{options.Height}@{options.FramesPerSecond}";
    }

    public string Description { get; }

    public TestCardOptions Options => _encoder.Options;

    public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _packager.Restart();
        _encoder.RequestKeyframe();
        TimeSpan start = _clock.Elapsed;
        long index = 0;
        using var pacer = new FramePacer(_clock, FrameOffset(1));
        while (true)
        {
            TimeSpan due = start + FrameOffset(index);
            if (!await pacer.WaitUntilAsync(due, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (_clock.Elapsed - due > s_maxLag)
            {
                // Skip the pictures missed, as a camera drops frames, and stay on the grid: a stamp off the
                // 1/fps grid makes players guess another frame rate (ffprobe said 60 after one such jump).
                index = (_clock.Elapsed - start).Ticks * _encoder.FramesPerSecond / TimeSpan.TicksPerSecond;
                due = start + FrameOffset(index);
            }

            ProduceFrame(index, due, due - start, sink);
            index++;
        }
    }

    /// <summary>Encodes and hands over one picture: the synchronous, allocation-free part of <see cref="RunAsync"/>.</summary>
    internal void ProduceFrame(long frameIndex, TimeSpan sinceClockStart, TimeSpan sinceSourceStart, IMediaSink sink)
    {
        _annexB.ResetWrittenCount();
        _encoder.EncodeFrame(frameIndex, sinceSourceStart, _annexB);
        _packager.Write(_annexB.WrittenSpan, PipelineClock.ToTimestamp(sinceClockStart), sink);
    }

    private TimeSpan FrameOffset(long frameIndex) =>
        TimeSpan.FromTicks(frameIndex * TimeSpan.TicksPerSecond / _encoder.FramesPerSecond);
}
