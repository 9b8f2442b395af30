using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Pipeline;

/// <summary>How <see cref="FlvPacer"/> plays a file out.</summary>
public sealed record FlvPacingOptions
{
    /// <summary>Start again at the end, with timestamps that keep increasing (<see cref="FlvLoopReader"/>); otherwise stop.</summary>
    public bool Loop { get; init; } = true;

    /// <summary>Stop after this much media time (from the first tag); null plays on.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Tags due within this much of the one that opens a burst leave with it, up to this much early: one wake-up and
    /// one <see cref="IMediaSink.Write"/> per burst. Zero sends every tag at its time, as a camera would (tags with
    /// the same time still leave together).
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

    /// <summary>
    /// The clock the schedule runs on. The system clock sleeps with <see cref="Thread.Sleep(int)"/> (see
    /// <see cref="FlvPacer"/>); any other provider (a test's fake clock) is waited on through its timers.
    /// </summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Plays an FLV file in real time, as a live source would: the pacing loop behind <see cref="FileMediaSource"/>.
/// Tags become <see cref="MediaFrame"/>s flagged the way the server flags what a publisher sends
/// (<see cref="FlvFrames.TryClassify"/>); a file's <c>@setDataFrame onMetaData</c> becomes <c>onMetaData</c>.
/// <para>
/// The loop runs on a thread of its own that reads the file synchronously (<see cref="FlvLoopReader.TryReadTag"/>)
/// and sleeps between bursts: a timer or an asynchronous read per tag would cost a thread-pool hop each, more than
/// the sending (docs/BENCHMARKS.md). The frames of a burst go to the sink as one batch.
/// </para>
/// </summary>
public static class FlvPacer
{
    /// <summary>
    /// The longest the pacing thread sleeps before it looks at its cancellation token again: how long a stop may take.
    /// Longer than a burst plus the gap to the next tag, so the sleep between two bursts is one wake-up.
    /// </summary>
    private const double MaxSleepSliceMs = 250;

    /// <summary>Opens <paramref name="path"/> for <see cref="RunAsync"/>: IO errors (missing, unreadable) are thrown here.</summary>
    public static Stream OpenFile(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: false);

    /// <summary>
    /// Plays <paramref name="file"/> (disposed at the end) into <paramref name="sink"/> until the file ends (when not
    /// looping), the duration has been played, or <paramref name="cancellationToken"/> is cancelled. Read errors are
    /// thrown (<see cref="IOException"/>, <see cref="MediaFormatException"/>); cancellation is not.
    /// </summary>
    /// <returns>Frames emitted.</returns>
    public static async Task<long> RunAsync(Stream file, FlvPacingOptions options, IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        await using (file.ConfigureAwait(false))
        {
            var played = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    played.TrySetResult(Play(file, options, sink, cancellationToken));
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
    private static long Play(Stream file, FlvPacingOptions options, IMediaSink sink, CancellationToken cancellationToken)
    {
        using var looping = options.Loop ? new FlvLoopReader(file, leaveOpen: true) : null;
        using var once = options.Loop ? null : new FlvFileReader(file, leaveOpen: true);
        var burst = new MediaBatch(16);
        double burstMs = options.Burst.TotalMilliseconds;
        double maxLagMs = options.MaxLag.TotalMilliseconds;
        double? durationMs = options.Duration?.TotalMilliseconds;
        TimeProvider time = options.Time;
        long started = time.GetTimestamp();
        long frames = 0;
        bool first = true;
        uint firstTimestamp = 0;
        uint origin = 0;
        double shiftMs = 0;
        double burstEnd = double.NegativeInfinity;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                FlvTag tag;
                if (!(looping is not null ? looping.TryReadTag(out tag) : once!.TryReadTag(out tag)))
                {
                    break;
                }

                if (first)
                {
                    // The schedule starts with the first tag, together with the timestamp origin: never early.
                    first = false;
                    started = time.GetTimestamp();
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
                double now = time.GetElapsedTime(started).TotalMilliseconds;
                if (now - due > maxLagMs)
                {
                    shiftMs += now - due;
                    due = now;
                }

                // A tag due by the end of the current burst joins it. A later one ends it: the burst leaves, we sleep
                // until that tag is due, and it opens the next burst.
                if (due > burstEnd)
                {
                    burst.WriteTo(sink);
                    if (due > now && Sleep(time, due - now, cancellationToken))
                    {
                        break;
                    }

                    burstEnd = Math.Max(due, time.GetElapsedTime(started).TotalMilliseconds) + burstMs;
                }

                if (ToFrame(tag, unchecked(origin + offset + (uint)shiftMs)) is { } frame)
                {
                    burst.Add(frame);
                    frames++;
                }
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                burst.WriteTo(sink);
            }
        }
        finally
        {
            burst.Clear();
        }

        return frames;
    }

    /// <summary>
    /// Sleeps <paramref name="milliseconds"/> in slices of at most <see cref="MaxSleepSliceMs"/>, looking at the token
    /// between them: a plain sleep costs a fraction of a wait on the token's handle (docs/BENCHMARKS.md). True when cancelled.
    /// Another clock than the system's is waited on through one of its timers.
    /// </summary>
    private static bool Sleep(TimeProvider time, double milliseconds, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(time, TimeProvider.System))
        {
            return SleepOn(time, milliseconds, cancellationToken);
        }

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

    private static bool SleepOn(TimeProvider time, double milliseconds, CancellationToken cancellationToken)
    {
        using var due = new ManualResetEventSlim();
        using ITimer timer = time.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), due, TimeSpan.FromMilliseconds(milliseconds), Timeout.InfiniteTimeSpan);
        try
        {
            due.Wait(cancellationToken);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
