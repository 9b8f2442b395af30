using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Publishes an FLV file in a loop at its own pace, each tag alone when its timestamp is due (as <c>ffmpeg -re -c copy</c>
/// does), and notes when each video message went into the socket. Players in the same process look their messages up
/// here: arrival minus send time, on one clock, is the relay latency itself (server, two loopback hops and the
/// players' scheduling), not a difference to the fastest delivery seen.
/// </summary>
internal sealed class SamplePublisher(Stopwatch clock)
{
    private readonly ConcurrentDictionary<uint, long> _videoSentTicks = new();
    private readonly ConcurrentDictionary<uint, long> _audioSentTicks = new();

    /// <summary>When the video or audio message of <paramref name="timestamp"/> was handed to the socket (stopwatch ticks).</summary>
    public bool TryGetSendTicks(bool video, uint timestamp, out long ticks) =>
        (video ? _videoSentTicks : _audioSentTicks).TryGetValue(timestamp, out ticks);

    public async Task RunAsync(string file, RtmpUrl target, CancellationToken cancellationToken)
    {
        await using RtmpClient client = await RtmpClient.ConnectAsync(
            new RtmpClientOptions { Host = target.Host, Port = target.Port, App = target.App, TcUrl = target.TcUrl },
            NullLogger.Instance, cancellationToken);
        uint streamId = await client.CreateStreamAsync(cancellationToken);
        await client.PublishAsync(streamId, target.StreamName, cancellationToken);

        using var reader = new FlvLoopReader(File.OpenRead(file));
        long startTicks = clock.ElapsedTicks;
        uint? firstTimestamp = null;
        while (!cancellationToken.IsCancellationRequested && reader.TryReadTag(out FlvTag tag))
        {
            byte[] payload = tag.Payload.ToArray();
            if (!FlvFrames.TryClassify(tag.TagType, payload, out MediaKind kind, out MediaFrameFlags flags, out int skip))
            {
                continue;
            }

            firstTimestamp ??= tag.Timestamp;
            long dueTicks = startTicks + (long)(tag.Timestamp - firstTimestamp.Value) * Stopwatch.Frequency / 1000;
            long waitMs = (dueTicks - clock.ElapsedTicks) * 1000 / Stopwatch.Frequency;
            if (waitMs > 0)
            {
                await Task.Delay((int)waitMs, cancellationToken);
            }

            MediaFrame frame = MediaFramePool.Shared.Rent(kind, tag.Timestamp, flags, payload.AsSpan(skip));
            if (kind is MediaKind.Video or MediaKind.Audio && (flags & MediaFrameFlags.SequenceHeader) == 0)
            {
                (kind == MediaKind.Video ? _videoSentTicks : _audioSentTicks)[tag.Timestamp] = clock.ElapsedTicks;
            }

            client.Connection.EnqueueMedia(frame, streamId);
            frame.Release();
        }
    }
}
