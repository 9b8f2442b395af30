using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Connection;

namespace EdgeRtmp.Net.Streams;

/// <summary>How <see cref="FlvPacer"/> plays a file out.</summary>
public sealed record FlvPacingOptions
{
    /// <summary>Start again at the end, with timestamps that keep increasing (<see cref="FlvLoopReader"/>); otherwise stop.</summary>
    public bool Loop { get; init; } = true;

    /// <summary>Stop after this much media time (from the first tag); null plays on.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Tags due within this much of the one that ends a sleep leave with it: one wake-up and one gathered write per
    /// burst instead of per tag, the tags up to this much early. Zero sends every tag at its time, as a camera would.
    /// </summary>
    public TimeSpan Burst { get; init; }

    /// <summary>
    /// The timestamp of the first frame; the others keep the file's spacing from it. Null keeps the file's own timestamps.
    /// </summary>
    public Func<uint>? TimestampOrigin { get; init; }

    /// <summary>
    /// Falling further behind than this (a stalled machine) moves the schedule, and the timestamps with it, instead of
    /// catching up in one rush.
    /// </summary>
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Plays an FLV file in real time, as a live source would: the one pacing loop behind <c>--video file:PATH.flv</c>
/// for <c>run</c> (<c>FileVideoSource</c>, each tag at its time) and for <c>publish</c> (<see cref="FlvHubFeeder"/>,
/// in bursts). Tags become <see cref="MediaFrame"/>s flagged the way the server flags what a publisher sends
/// (<see cref="FlvFrames.TryClassify"/>); a file's <c>@setDataFrame onMetaData</c> becomes <c>onMetaData</c>.
/// <para>
/// The loop runs on a thread of its own that reads the file synchronously and sleeps between tags (or bursts):
/// measured per thread, a timer and a thread-pool hop per tag, or an asynchronous file read (a pool hop on Linux),
/// cost more than the sending. What the frames make connections send is corked for the burst, so it leaves in one
/// gathered write per connection.
/// </para>
/// </summary>
public static class FlvPacer
{
    /// <summary>
    /// The longest the pacing thread sleeps before it looks at its cancellation token again: how long a stop may take.
    /// Longer than a burst plus the gap to the next tag, so that the sleep between two bursts is one wake-up (at 100 ms
    /// it was two: strace counted 18 timed waits a second for 100 ms bursts).
    /// </summary>
    private const double MaxSleepSliceMs = 250;

    /// <summary>Opens <paramref name="path"/> for <see cref="RunAsync"/>: IO errors (missing, unreadable) are thrown here.</summary>
    public static Stream OpenFile(string path) =>
        new BlockingReadStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: false));

    /// <summary>
    /// Plays <paramref name="file"/> (from <see cref="OpenFile"/>; disposed at the end) into <paramref name="emit"/>, which
    /// borrows each frame for the call, until the file ends (when not looping), the duration has been played, or
    /// <paramref name="cancellationToken"/> is cancelled. Read errors are thrown (<see cref="IOException"/>,
    /// <see cref="MediaFormatException"/>); cancellation is not.
    /// </summary>
    /// <returns>Frames emitted.</returns>
    public static async Task<long> RunAsync(Stream file, FlvPacingOptions options, Action<MediaFrame> emit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emit);
        await using (file.ConfigureAwait(false))
        {
            var played = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    played.TrySetResult(Play(file, options, emit, cancellationToken));
                }
                catch (Exception error)
                {
                    played.TrySetException(error);
                }
            })
            {
                IsBackground = true,
                Name = "FLV pacing",
            };
            thread.Start();
            return await played.Task.ConfigureAwait(false);
        }
    }

    /// <summary>A tag as a frame stamped <paramref name="timestamp"/>, or null for a tag a stream does not carry (empty, unknown type, @clearDataFrame).</summary>
    private static MediaFrame? ToFrame(in FlvTag tag, uint timestamp)
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
        return MediaFramePool.Shared.Rent(kind, timestamp, flags, (int)payload.Length, payload, static (span, source) => source.CopyTo(span));
    }

    /// <summary>The pacing loop; blocks its (dedicated) thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once, for the whole stream: no tier-0 loop
    private static long Play(Stream file, FlvPacingOptions options, Action<MediaFrame> emit, CancellationToken cancellationToken)
    {
        using var looping = options.Loop ? new FlvLoopReader(file, leaveOpen: true) : null;
        using var once = options.Loop ? null : new FlvFileReader(file, leaveOpen: true);
        double burstMs = options.Burst.TotalMilliseconds;
        double maxLagMs = options.MaxLag.TotalMilliseconds;
        double? durationMs = options.Duration?.TotalMilliseconds;
        long started = Stopwatch.GetTimestamp();
        long frames = 0;
        bool first = true;
        uint firstTimestamp = 0;
        uint origin = 0;
        double shiftMs = 0;
        double burstEnd = double.NegativeInfinity;
        SendCork.Enter();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ValueTask<bool> reading = looping is not null ? looping.ReadTagAsync(cancellationToken) : once!.ReadTagAsync(cancellationToken);
                if (!(reading.IsCompleted ? reading.Result : reading.AsTask().GetAwaiter().GetResult()))
                {
                    break;
                }

                FlvTag tag = looping is not null ? looping.Current : once!.Current;
                if (first)
                {
                    // The schedule starts with the first tag, together with the timestamp origin: never early.
                    first = false;
                    started = Stopwatch.GetTimestamp();
                    firstTimestamp = tag.Timestamp;
                    origin = options.TimestampOrigin?.Invoke() ?? firstTimestamp;
                }

                // The file's time since its first tag; the loop reader keeps it increasing across loops.
                uint offset = unchecked(tag.Timestamp - firstTimestamp);
                if (durationMs is { } limit && offset >= limit)
                {
                    break;
                }

                double due = offset + shiftMs;
                double now = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (now - due > maxLagMs)
                {
                    shiftMs += now - due;
                    due = now;
                }

                // A tag due by the end of the current burst goes now. A later one ends it: sleep until that tag is due,
                // then it opens the next burst. (Waking a burst's length before each tag instead would send every tag
                // alone, only early.)
                if (due > burstEnd)
                {
                    if (due > now)
                    {
                        SendCork.Exit();
                        bool cancelled = Sleep(due - now, cancellationToken);
                        SendCork.Enter();
                        if (cancelled)
                        {
                            break;
                        }
                    }

                    burstEnd = Math.Max(due, Stopwatch.GetElapsedTime(started).TotalMilliseconds) + burstMs;
                }

                MediaFrame? frame = ToFrame(tag, unchecked(origin + offset + (uint)shiftMs));
                if (frame is not null)
                {
                    try
                    {
                        emit(frame);
                    }
                    finally
                    {
                        frame.Release();
                    }

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
    /// Sleeps <paramref name="milliseconds"/> in slices of at most <see cref="MaxSleepSliceMs"/>, looking at the token
    /// between them: a plain sleep costs a fraction of a wait on the token's handle (perf put about 7 % of the pacing
    /// thread in the runtime's wait code under that wait; docs/BENCHMARKS.md). True when cancelled.
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
