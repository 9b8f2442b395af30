using EdgeRtmp.Media;
using EdgeRtmp.Pipeline;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>Keeps a copy of what a source hands over, with the wall time it arrived.</summary>
public sealed class RecordingSink : IVideoFrameSink
{
    private readonly Lock _gate = new();
    private readonly List<Recorded> _frames = [];

    public readonly record struct Recorded(MediaKind Kind, MediaFrameFlags Flags, uint Timestamp, byte[] Payload, TimeSpan Arrival);

    public RecordingSink()
    {
        // Pacing is measured here; in the test host other tests block pool threads at start-up, and a starved pool
        // (it grows by about one thread per 500 ms) would delay timer continuations, not the source.
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), completionPorts);
    }

    public PipelineClock Clock { get; } = new();

    public IReadOnlyList<Recorded> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    public void OnFrame(MediaFrame frame)
    {
        lock (_gate)
        {
            _frames.Add(new Recorded(frame.Kind, frame.Flags, frame.Timestamp, frame.Span.ToArray(), Clock.Elapsed));
        }
    }

    public async Task<bool> WaitUntilAsync(Func<IReadOnlyList<Recorded>, bool> condition, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (condition(Frames))
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition(Frames);
    }
}

/// <summary>Drops every frame: for counting allocations of the producing side alone.</summary>
public sealed class NullSink : IVideoFrameSink
{
    public long Count { get; private set; }

    public void OnFrame(MediaFrame frame) => Count++;
}
