using System.Buffers;
using System.Diagnostics;
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
    private const double PacingQuantumMs = 40;

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
        bool corked = false;
        try
        {
            if (whenClaimed is not null)
            {
                await whenClaimed(cancellationToken).ConfigureAwait(false);
            }

            await using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
            await using var looping = loop ? new FlvLoopReader(file, leaveOpen: true) : null;
            await using var once = loop ? null : new FlvFileReader(file, leaveOpen: true);
            long started = Stopwatch.GetTimestamp();
            long? firstTimestamp = null;

            // Tags go out in bursts: every wake-up sends everything due within the next PacingQuantumMs, under
            // one cork, so a burst leaves in one gathered write. ffmpeg -re wakes once per packet; waking once per
            // quantum costs a fraction of that, and an upstream server buffers far more than 40 ms anyway.
            SendCork.Enter();
            corked = true;
            while (true)
            {
                ValueTask<bool> reading = looping is not null ? looping.ReadTagAsync(cancellationToken) : once!.ReadTagAsync(cancellationToken);
                bool more;
                if (reading.IsCompleted)
                {
                    more = reading.Result;
                }
                else
                {
                    // The cork is per thread: never hold it across an await that may resume elsewhere.
                    SendCork.Exit();
                    corked = false;
                    more = await reading.ConfigureAwait(false);
                    SendCork.Enter();
                    corked = true;
                }

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

                double wait = due - Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (wait > PacingQuantumMs)
                {
                    SendCork.Exit();
                    corked = false;
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait - PacingQuantumMs) + 1), cancellationToken).ConfigureAwait(false);
                    SendCork.Enter();
                    corked = true;
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
            if (corked)
            {
                SendCork.Exit();
            }

            hub.StopPublishing(owner);
        }

        return frames;
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
}
