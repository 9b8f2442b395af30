using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Net.Tests.Streams;

/// <summary>The hub alone: what a late joiner starts with, the GOP cache and its bound, republishing, batches, joins during writes.</summary>
public class StreamHubTests
{
    private readonly object _publisher = new();

    [Fact]
    public void A_late_joiner_starts_with_metadata_sequence_headers_and_the_gop_from_its_keyframe_then_live_frames()
    {
        var hub = new StreamHub("live/cam");
        Assert.True(hub.TryStartPublishing(_publisher));
        Write(hub, Frame(MediaKind.Video, 0, MediaFrameFlags.None, 1));                               // before any keyframe: not kept
        Write(hub, Frame(MediaKind.Data, 0, MediaFrameFlags.Metadata, 2));
        Write(hub, Frame(MediaKind.Video, 0, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, 3));
        Write(hub, Frame(MediaKind.Audio, 0, MediaFrameFlags.SequenceHeader, 4));
        Write(hub, Frame(MediaKind.Video, 40, MediaFrameFlags.Keyframe, 5));
        Write(hub, Frame(MediaKind.Audio, 41, MediaFrameFlags.None, 6));
        Write(hub, Frame(MediaKind.Video, 80, MediaFrameFlags.None, 7));
        Write(hub, Frame(MediaKind.Video, 120, MediaFrameFlags.Keyframe, 8));                         // a new GOP starts here
        Write(hub, Frame(MediaKind.Video, 160, MediaFrameFlags.None, 9));

        var late = new Subscriber();
        hub.Subscribe(late);
        Write(hub, Frame(MediaKind.Audio, 161, MediaFrameFlags.None, 10));

        Assert.Equal([2, 3, 4, 8, 9, 10], late.Tags);
        Assert.Equal([true, true, true, true, true, false], late.FromCache);
        Assert.Equal(1, late.PublishStarts);
        Assert.Equal(2, late.Flushes);
    }

    [Fact]
    public void A_gop_over_its_bound_is_dropped_until_the_next_keyframe_and_headers_stay()
    {
        var hub = new StreamHub("live/cam", maxGopBytes: 1000);
        Assert.True(hub.TryStartPublishing(_publisher));
        Write(hub, Frame(MediaKind.Video, 0, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, 1));
        Write(hub, Frame(MediaKind.Video, 40, MediaFrameFlags.Keyframe, 2, length: 600));
        Write(hub, Frame(MediaKind.Video, 80, MediaFrameFlags.None, 3, length: 600));              // 1200 bytes: over
        Write(hub, Frame(MediaKind.Video, 120, MediaFrameFlags.None, 4, length: 10));

        var during = new Subscriber();
        hub.Subscribe(during);
        Assert.Equal([1], during.Tags);

        Write(hub, Frame(MediaKind.Video, 160, MediaFrameFlags.Keyframe, 5, length: 10));
        var after = new Subscriber();
        hub.Subscribe(after);
        Assert.Equal([1, 5], after.Tags);
    }

    [Fact]
    public void Republishing_starts_from_a_clean_cache_and_subscribers_stay()
    {
        var hub = new StreamHub("live/cam");
        var player = new Subscriber();
        hub.Subscribe(player);
        Assert.True(hub.TryStartPublishing(_publisher));
        Write(hub, Frame(MediaKind.Video, 0, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, 1));
        Write(hub, Frame(MediaKind.Video, 40, MediaFrameFlags.Keyframe, 2));

        var other = new object();
        Assert.False(hub.TryStartPublishing(other));
        hub.Write(other, Frame(MediaKind.Video, 80, MediaFrameFlags.Keyframe, 99));                 // not the publisher: ignored
        hub.StopPublishing(other);                                                                   // not the publisher: no-op
        Assert.True(hub.IsPublishing);

        hub.StopPublishing(_publisher);
        Assert.False(hub.IsPublishing);
        Assert.True(hub.TryStartPublishing(other));
        var late = new Subscriber();
        hub.Subscribe(late);

        Assert.Equal([1, 2], player.Tags);
        Assert.Equal(2, player.PublishStarts);
        Assert.Equal(1, player.PublishStops);
        Assert.Empty(late.Tags);
        Assert.Equal(2, hub.SubscriberCount);
    }

    [Fact]
    public void A_batch_reaches_each_subscriber_in_order_and_is_flushed_once()
    {
        var hub = new StreamHub("live/cam");
        var first = new Subscriber();
        var second = new Subscriber();
        hub.Subscribe(first);
        hub.Subscribe(second);
        Assert.True(hub.TryStartPublishing(_publisher));
        int flushesBefore = first.Flushes;

        MediaFrame[] batch = [Frame(MediaKind.Video, 40, MediaFrameFlags.Keyframe, 1), Frame(MediaKind.Audio, 40, MediaFrameFlags.None, 2), Frame(MediaKind.Audio, 63, MediaFrameFlags.None, 3)];
        hub.Write(_publisher, batch);
        foreach (MediaFrame frame in batch)
        {
            frame.Release();
        }

        Assert.Equal([1, 2, 3], first.Tags);
        Assert.Equal([1, 2, 3], second.Tags);
        Assert.Equal(flushesBefore + 1, first.Flushes);
        Assert.Equal(0, first.FramesSinceFlush);
    }

    [Fact]
    public void Audio_alone_waits_for_the_next_batch_with_video_and_video_is_never_held()
    {
        var hub = HoldingHub(out var time, out var player);
        Write(hub, Frame(MediaKind.Video, 0, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, 0));   // a stream with video
        Write(hub, Frame(MediaKind.Audio, 0, MediaFrameFlags.SequenceHeader, 1));                     // headers: at once
        Assert.Equal(0, player.FramesSinceFlush);

        Write(hub, Frame(MediaKind.Audio, 10, MediaFrameFlags.None, 2));
        time.Advance(TimeSpan.FromMilliseconds(23));
        Write(hub, Frame(MediaKind.Audio, 33, MediaFrameFlags.None, 3));
        Assert.Equal(2, player.FramesSinceFlush);                                                     // queued, held
        Write(hub, Frame(MediaKind.Video, 34, MediaFrameFlags.Keyframe, 4));
        Assert.Equal(0, player.FramesSinceFlush);                                                     // left with the video
        Write(hub, Frame(MediaKind.Video, 67, MediaFrameFlags.None, 5));
        Assert.Equal(0, player.FramesSinceFlush);
        Assert.Equal([0, 1, 2, 3, 4, 5], player.Tags);
    }

    [Fact]
    public void Audio_that_no_video_follows_leaves_with_the_next_audio_past_the_hold_or_at_the_backstop()
    {
        var hub = HoldingHub(out var time, out var player);
        Write(hub, Frame(MediaKind.Video, 0, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, 0));   // a stream with video

        // Video stopped: audio keeps flowing, none of it more than the hold late.
        Write(hub, Frame(MediaKind.Audio, 0, MediaFrameFlags.None, 1));                              // held from t = 0; the backstop ticks at 100, 200, ...
        time.Advance(TimeSpan.FromMilliseconds(23));
        Write(hub, Frame(MediaKind.Audio, 23, MediaFrameFlags.None, 2));
        time.Advance(TimeSpan.FromMilliseconds(26));
        Write(hub, Frame(MediaKind.Audio, 49, MediaFrameFlags.None, 3));                             // t = 49: not yet
        Assert.Equal(3, player.FramesSinceFlush);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Write(hub, Frame(MediaKind.Audio, 50, MediaFrameFlags.None, 4));                             // held 50 ms: all go now
        Assert.Equal(0, player.FramesSinceFlush);

        time.Advance(TimeSpan.FromMilliseconds(10));
        Write(hub, Frame(MediaKind.Audio, 60, MediaFrameFlags.None, 5));                             // held from t = 60
        time.Advance(TimeSpan.FromMilliseconds(40));                                                  // t = 100: a tick, held 40 ms only
        Assert.Equal(1, player.FramesSinceFlush);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Write(hub, Frame(MediaKind.Audio, 110, MediaFrameFlags.None, 6));                            // t = 110: both go
        Assert.Equal(0, player.FramesSinceFlush);

        // A publisher that paused: its last audio leaves at the backstop's first tick past the hold.
        time.Advance(TimeSpan.FromMilliseconds(5));
        Write(hub, Frame(MediaKind.Audio, 115, MediaFrameFlags.None, 7));                            // held from t = 115
        time.Advance(TimeSpan.FromMilliseconds(84));                                                  // t = 199
        Assert.Equal(1, player.FramesSinceFlush);
        time.Advance(TimeSpan.FromMilliseconds(1));                                                   // t = 200: a tick
        Assert.Equal(0, player.FramesSinceFlush);

        // A period without held audio stops the backstop (the tick at 300); the next hold starts it again.
        int flushes = player.Flushes;
        time.Advance(TimeSpan.FromMilliseconds(100));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(flushes, player.Flushes);
        time.Advance(TimeSpan.FromMilliseconds(50));
        Write(hub, Frame(MediaKind.Audio, 1350, MediaFrameFlags.None, 8));                           // held from t = 1350; ticks at 1450, ... (not 1400)
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(1, player.FramesSinceFlush);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, player.FramesSinceFlush);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8], player.Tags);
    }

    [Fact]
    public void Audio_of_a_stream_without_video_is_not_held()
    {
        var hub = HoldingHub(out var time, out var player);
        Write(hub, Frame(MediaKind.Audio, 0, MediaFrameFlags.SequenceHeader, 1));
        Write(hub, Frame(MediaKind.Audio, 0, MediaFrameFlags.None, 2));
        Assert.Equal(0, player.FramesSinceFlush);

        // Video came and went with its publisher: the next publication starts without it.
        Write(hub, Frame(MediaKind.Video, 23, MediaFrameFlags.Keyframe, 3));
        Write(hub, Frame(MediaKind.Audio, 23, MediaFrameFlags.None, 4));
        Assert.Equal(1, player.FramesSinceFlush);
        hub.StopPublishing(_publisher);
        Assert.True(hub.TryStartPublishing(_publisher));
        Write(hub, Frame(MediaKind.Audio, 0, MediaFrameFlags.None, 5));
        Assert.Equal(0, player.FramesSinceFlush);
        Assert.Equal([1, 2, 3, 4, 5], player.Tags);
    }

    [Fact]
    public void Held_audio_leaves_when_the_publisher_stops()
    {
        var hub = HoldingHub(out var time, out var player);
        Write(hub, Frame(MediaKind.Video, 0, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, 0));   // a stream with video
        Write(hub, Frame(MediaKind.Audio, 0, MediaFrameFlags.None, 1));
        Assert.Equal(1, player.FramesSinceFlush);

        hub.StopPublishing(_publisher);
        Assert.Equal(0, player.FramesSinceFlush);
        Assert.Equal(1, player.PublishStops);
    }

    [Fact]
    public async Task Subscribers_joining_during_writes_get_every_frame_once_in_order()
    {
        var hub = new StreamHub("live/cam");
        Assert.True(hub.TryStartPublishing(_publisher));
        Write(hub, Frame(MediaKind.Video, 0, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, 0));
        const int Frames = 3000;
        var joiners = new List<Subscriber>();

        // Every 150th frame signals a joiner thread, which subscribes while the writer goes on.
        using var due = new SemaphoreSlim(0);
        hub.Subscribe(new Trigger(tag => { if (tag % 150 == 0) due.Release(); }));
        Task joining = Task.Run(async () =>
        {
            for (int j = 0; j < 19; j++)
            {
                await due.WaitAsync();
                var joiner = new Subscriber();
                hub.Subscribe(joiner);
                lock (joiners) joiners.Add(joiner);
            }
        });
        Task writing = Task.Run(() =>
        {
            for (int i = 1; i <= Frames; i++)
            {
                Write(hub, Frame(MediaKind.Video, (uint)i, i % 100 == 1 ? MediaFrameFlags.Keyframe : MediaFrameFlags.None, i));
            }
        });

        await joining.WaitAsync(TimeSpan.FromSeconds(30));
        await writing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(19, joiners.Count);
        foreach (Subscriber joiner in joiners)
        {
            // The sequence header, then (once a keyframe was cached) a run of consecutive frames to the last: no gap, no repeat.
            List<int> tags = joiner.Tags;
            Assert.Equal(0, tags[0]);
            List<int> media = tags.Skip(1).ToList();
            if (media.Count == 0)
            {
                continue;
            }

            Assert.Equal(Enumerable.Range(media[0], Frames - media[0] + 1), media);
        }
    }

    /// <summary>A hub with a 50 ms audio hold on a fake clock, one player subscribed, published by <see cref="_publisher"/>.</summary>
    private StreamHub HoldingHub(out FakeTimeProvider time, out Subscriber player)
    {
        time = new FakeTimeProvider();
        var hub = new StreamHub("live/cam", audioHold: TimeSpan.FromMilliseconds(50), time: time);
        player = new Subscriber();
        hub.Subscribe(player);
        Assert.True(hub.TryStartPublishing(_publisher));
        return hub;
    }

    private void Write(StreamHub hub, MediaFrame frame)
    {
        hub.Write(_publisher, frame);
        frame.Release();
    }

    /// <summary>A frame whose first payload byte is its tag (for following it through the hub).</summary>
    private static MediaFrame Frame(MediaKind kind, uint timestamp, MediaFrameFlags flags, int tag, int length = 8)
    {
        byte[] payload = new byte[length];
        BitConverter.TryWriteBytes(payload, tag);
        return MediaFramePool.Shared.Rent(kind, timestamp, flags, payload);
    }

    private sealed class Trigger(Action<int> onTag) : IMediaSubscriber
    {
        public void OnPublishStart(StreamHub hub)
        {
        }

        public void OnFrame(StreamHub hub, MediaFrame frame, bool fromCache) => onTag(BitConverter.ToInt32(frame.Span));

        public void OnPublishStop(StreamHub hub)
        {
        }

        public void OnFlush(StreamHub hub)
        {
        }
    }

    private sealed class Subscriber : IMediaSubscriber
    {
        private readonly Lock _gate = new();
        private readonly List<int> _tags = [];
        private readonly List<bool> _fromCache = [];

        public List<int> Tags
        {
            get
            {
                lock (_gate)
                {
                    return [.. _tags];
                }
            }
        }

        public List<bool> FromCache
        {
            get
            {
                lock (_gate)
                {
                    return [.. _fromCache];
                }
            }
        }

        public int PublishStarts { get; private set; }

        public int PublishStops { get; private set; }

        public int Flushes { get; private set; }

        public int FramesSinceFlush { get; private set; }

        public void OnPublishStart(StreamHub hub) => PublishStarts++;

        public void OnFrame(StreamHub hub, MediaFrame frame, bool fromCache)
        {
            lock (_gate)
            {
                _tags.Add(BitConverter.ToInt32(frame.Span));
                _fromCache.Add(fromCache);
                FramesSinceFlush++;
            }
        }

        public void OnPublishStop(StreamHub hub) => PublishStops++;

        public void OnFlush(StreamHub hub)
        {
            lock (_gate)
            {
                Flushes++;
                FramesSinceFlush = 0;
            }
        }
    }
}
