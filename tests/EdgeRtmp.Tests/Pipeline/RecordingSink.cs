using EdgeRtmp.Media;
using EdgeRtmp.Pipeline;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>Keeps a copy of what a source hands over, with the wall time it arrived.</summary>
public sealed class RecordingSink : IMediaSink
{
    private readonly Lock _gate = new();
    private readonly List<Recorded> _frames = [];

    /// <param name="Batch">Which <see cref="IMediaSink.Write"/> brought it, counting from 0.</param>
    public readonly record struct Recorded(MediaKind Kind, MediaFrameFlags Flags, uint Timestamp, byte[] Payload, TimeSpan Arrival, int Batch);

    private int _batches;

    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="clock">Arrival times are read from it: a fake one for a source driven by a fake clock.</param>
    public RecordingSink(PipelineClock? clock = null)
    {
        Clock = clock ?? new PipelineClock();
        // Pacing is measured here; in the test host other tests block pool threads at start-up, and a starved pool
        // (it grows by about one thread per 500 ms) would delay timer continuations, not the source.
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), completionPorts);
    }

    public PipelineClock Clock { get; }

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

    public void Write(ReadOnlySpan<MediaFrame> frames)
    {
        lock (_gate)
        {
            foreach (MediaFrame frame in frames)
            {
                _frames.Add(new Recorded(frame.Kind, frame.Flags, frame.Timestamp, frame.Span.ToArray(), Clock.Elapsed, _batches));
            }

            _batches++;
            _written.TrySetResult();
            _written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Waits, without polling, until what was written satisfies <paramref name="condition"/>; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitUntilAsync(Func<IReadOnlyList<Recorded>, bool> condition, TimeSpan timeout)
    {
        using var expiry = new CancellationTokenSource(timeout);
        while (true)
        {
            Task written;
            lock (_gate)
            {
                if (condition(_frames))
                {
                    return true;
                }

                written = _written.Task;
            }

            try
            {
                await written.WaitAsync(expiry.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    return condition(_frames);
                }
            }
        }
    }
}

/// <summary>Drops every frame: for counting allocations of the producing side alone.</summary>
public sealed class NullSink : IMediaSink
{
    public long Count { get; private set; }

    public void Write(ReadOnlySpan<MediaFrame> frames) => Count += frames.Length;
}
