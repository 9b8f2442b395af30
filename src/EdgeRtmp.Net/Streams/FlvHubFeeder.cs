using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Net.Streams;

/// <summary>
/// Publishes an FLV file into a <see cref="StreamHub"/> at the pace of its timestamps, as a live source
/// would (<c>--video file:PATH.flv</c>): once, or looping with <see cref="FlvLoopReader"/>. Tags become
/// <see cref="MediaFrame"/>s flagged the way the server flags what a publisher sends; a file's
/// <c>@setDataFrame onMetaData</c> is kept as <c>onMetaData</c>, like the server keeps it.
/// </summary>
public static class FlvHubFeeder
{
    /// <summary>How early a tag may leave: the pacing wakes once per this many milliseconds of media.</summary>
    private const double PacingQuantumMs = 100;

    /// <summary>The longest the pacing thread sleeps before it looks at its cancellation token again.</summary>
    private const double MaxSleepSliceMs = 100;

    /// <summary>
    /// Runs until the file ends (when not looping), <paramref name="duration"/> of media has been written, or
    /// cancellation. <paramref name="whenClaimed"/> runs once the hub is ours and before the first frame (a
    /// publisher waits there until its upstream is live, so the upstream gets the file from its first frame).
    /// </summary>
    /// <returns>Frames written to the hub.</returns>
    public static async Task<long> RunAsync(string path, StreamHub hub, bool loop, TimeSpan? duration, CancellationToken cancellationToken, Func<CancellationToken, Task>? whenClaimed = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var owner = new object();
        if (!hub.TryStartPublishing(owner))
        {
            throw new InvalidOperationException($"The stream {hub.Name} already has a publisher.");
        }

        long frames = 0;
        try
        {
            if (whenClaimed is not null)
            {
                await whenClaimed(cancellationToken).ConfigureAwait(false);
            }

            // Read synchronously on the pacing thread: an async file read is a thread-pool hop on Linux.
            await using var file = new BlockingReadStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: false));
            await using var looping = loop ? new FlvLoopReader(file, leaveOpen: true) : null;
            await using var once = loop ? null : new FlvFileReader(file, leaveOpen: true);

            // Pacing runs on its own thread that sleeps between bursts: a timer plus a thread-pool hop per burst
            // cost more than the sending (measured per thread: the timer thread alone took a quarter).
            var paced = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    paced.TrySetResult(Pace(looping, once, hub, owner, duration, cancellationToken));
                }
                catch (Exception error)
                {
                    paced.TrySetException(error);
                }
            })
            {
                IsBackground = true,
                Name = "FLV pacing",
            };
            thread.Start();
            frames = await paced.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            hub.StopPublishing(owner);
        }

        return frames;
    }

    /// <summary>
    /// Writes the tags into the hub at their times, in bursts: each wake-up sends everything due within the next
    /// <see cref="PacingQuantumMs"/> under one cork, so a burst leaves in one gathered write. ffmpeg -re wakes once
    /// per packet; once per quantum costs a fraction of that, and an upstream server buffers far more than 40 ms.
    /// Blocks its (dedicated) thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once, for the whole stream: no tier-0 loop
    private static long Pace(FlvLoopReader? looping, FlvFileReader? once, StreamHub hub, object owner, TimeSpan? duration, CancellationToken cancellationToken)
    {
        long frames = 0;
        long started = Stopwatch.GetTimestamp();
        long? firstTimestamp = null;
        double burstEnd = double.NegativeInfinity;
        SendCork.Enter();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ValueTask<bool> reading = looping is not null ? looping.ReadTagAsync(cancellationToken) : once!.ReadTagAsync(cancellationToken);
                bool more = reading.IsCompleted ? reading.Result : reading.AsTask().GetAwaiter().GetResult();
                if (!more)
                {
                    break;
                }

                FlvTag tag = looping is not null ? looping.Current : once!.Current;
                firstTimestamp ??= tag.Timestamp;
                double due = tag.Timestamp - firstTimestamp.Value;
                if (duration is { } limit && due >= limit.TotalMilliseconds)
                {
                    break;
                }

                // A tag due by the end of the current burst goes now. A later one opens the next burst: sleep until it
                // is due, then send it and every tag due within a quantum of it. (Waking a quantum before each tag
                // instead sends every tag alone, only early: one wake-up and one write per tag.)
                if (due > burstEnd)
                {
                    double wait = due - Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (wait > 0)
                    {
                        SendCork.Exit();
                        bool cancelled = Sleep(wait, cancellationToken);
                        SendCork.Enter();
                        if (cancelled)
                        {
                            break;
                        }
                    }

                    burstEnd = Math.Max(due, Stopwatch.GetElapsedTime(started).TotalMilliseconds) + PacingQuantumMs;
                }

                MediaFrame? frame = ToFrame(tag);
                if (frame is not null)
                {
                    hub.Write(owner, frame);
                    frame.Release();
                    frames++;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            SendCork.Exit();
        }

        return frames;
    }

    /// <summary>
    /// Sleeps <paramref name="milliseconds"/> in slices of at most <see cref="MaxSleepSliceMs"/>, checking for cancellation
    /// between them: a plain sleep costs a fraction of a wait on the token's handle (measured per thread: the wait
    /// machinery was a tenth of the pacing thread's CPU). True when cancelled.
    /// </summary>
    private static bool Sleep(double milliseconds, CancellationToken cancellationToken)
    {
        long until = Stopwatch.GetTimestamp() + (long)(milliseconds * Stopwatch.Frequency / 1000);
        while (!cancellationToken.IsCancellationRequested)
        {
            double left = (until - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
            if (left <= 0)
            {
                return false;
            }

            Thread.Sleep((int)Math.Ceiling(Math.Min(left, MaxSleepSliceMs)));
        }

        return true;
    }

    /// <summary>A tag as a hub frame, or null for a tag a stream does not carry (empty, unknown type, @clearDataFrame).</summary>
    public static MediaFrame? ToFrame(in FlvTag tag)
    {
        ReadOnlySequence<byte> payload = tag.Payload;
        if (payload.IsEmpty)
        {
            return null;
        }

        Span<byte> head = stackalloc byte[(int)Math.Min(payload.Length, 64)];
        payload.Slice(0, head.Length).CopyTo(head);
        if (!FlvFrames.TryClassify(tag.TagType, head, out MediaKind kind, out MediaFrameFlags flags, out int skip))
        {
            return null;
        }

        payload = payload.Slice(skip);
        return MediaFramePool.Shared.Rent(kind, tag.Timestamp, flags, (int)payload.Length, payload, static (span, source) => source.CopyTo(span));
    }

    /// <summary>A seekable file whose asynchronous reads run synchronously on the caller's (pacing) thread.</summary>
    private sealed class BlockingReadStream(FileStream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(inner.Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(inner.Read(buffer, offset, count));

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync()
        {
            inner.Dispose();
            return base.DisposeAsync();
        }
    }
}
