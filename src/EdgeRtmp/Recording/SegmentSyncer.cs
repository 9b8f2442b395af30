using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Recording;

/// <summary>
/// The recorder's fsyncs, on a thread of their own. An fsync on a busy card or file system can take seconds (ext4
/// waits for its journal commit); a writer waiting through it stops writing, so the frames queued behind it are lost
/// to a kill and the queue overflows. Here the writer only asks: a periodic sync of the open segment (at most one
/// outstanding) and the completion of a closed one (its duration, a last fsync, the close), done in the order asked.
/// A periodic sync's error is handed back to the writer (<see cref="TakeError"/>), which stops recording as for a
/// failed write; a completion's error is logged, as the segment is already closed.
/// </summary>
internal sealed class SegmentSyncer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<(FlvSegmentFile Segment, bool Complete)> _work = new(4);
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Action<FlvSegmentFile> _sync;
    private readonly ILogger _logger;
    private readonly Thread? _thread;
    private Exception? _error;
    private volatile bool _syncPending;
    private bool _stopping;

    /// <param name="sync">The fsync itself; tests replace it with one that blocks.</param>
    /// <param name="ownThread">False for tests that drive the recorder on their own thread: the work is done when asked.</param>
    public SegmentSyncer(ILogger logger, Action<FlvSegmentFile>? sync, bool ownThread)
    {
        _logger = logger;
        _sync = sync ?? (static segment => segment.Sync());
        if (ownThread)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "recorder-sync" };
            _thread.Start();
        }
    }

    /// <summary>Asks for an fsync of the open segment; ignored while one is still under way.</summary>
    public void Sync(FlvSegmentFile segment)
    {
        if (_syncPending)
        {
            return;
        }

        _syncPending = true;
        Enqueue(segment, complete: false);
    }

    /// <summary>Hands over a closed segment: its duration is written, it is fsync'ed and closed, then logged.</summary>
    public void Complete(FlvSegmentFile segment) => Enqueue(segment, complete: true);

    /// <summary>The error of a periodic sync since the last call, if any.</summary>
    public Exception? TakeError() => Interlocked.Exchange(ref _error, null);

    /// <summary>Finishes what was asked (every closed segment is completed), then stops the thread.</summary>
    public void Dispose()
    {
        if (_thread is not null)
        {
            lock (_gate)
            {
                _stopping = true;
            }

            _signal.Release();
            _thread.Join();
        }

        _signal.Dispose();
    }

    private void Enqueue(FlvSegmentFile segment, bool complete)
    {
        if (_thread is null)
        {
            Do(segment, complete);
            return;
        }

        lock (_gate)
        {
            _work.Enqueue((segment, complete));
        }

        _signal.Release();
    }

    private void Run()
    {
        while (true)
        {
            _signal.Wait();
            (FlvSegmentFile Segment, bool Complete) next;
            lock (_gate)
            {
                if (!_work.TryDequeue(out next))
                {
                    if (_stopping)
                    {
                        return;
                    }

                    continue;
                }
            }

            Do(next.Segment, next.Complete);
        }
    }

    private void Do(FlvSegmentFile segment, bool complete)
    {
        if (!complete)
        {
            try
            {
                _sync(segment);
            }
            catch (IOException e)
            {
                Volatile.Write(ref _error, e);
            }
            finally
            {
                _syncPending = false;
            }

            return;
        }

        try
        {
            segment.WriteDuration();
            _sync(segment);
            RecordingLog.SegmentClosed(_logger, segment.Path, segment.Duration / 1000.0, segment.Length);
        }
        catch (IOException e)
        {
            RecordingLog.WriteFailed(_logger, e.Message);
        }
        finally
        {
            segment.Dispose();
        }
    }
}
