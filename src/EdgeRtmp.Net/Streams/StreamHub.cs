using EdgeRtmp.Media;

namespace EdgeRtmp.Net.Streams;

/// <summary>
/// Receives what a stream's consumers are handed. Calls come under the hub's lock, in stream order,
/// and must return at once: queue, never wait. A frame is borrowed for the call; keep it with
/// <see cref="MediaFrame.AddReference"/>. Frames come in batches (what a publisher's read or a source
/// made together): queue them in <see cref="OnFrame"/>, send them in <see cref="OnFlush"/>, so a batch
/// leaves in one gathered write.
/// </summary>
public interface IMediaSubscriber
{
    /// <summary>A publisher started (or was already live when the subscriber joined).</summary>
    void OnPublishStart(StreamHub hub);

    /// <param name="fromCache">True for the metadata, sequence headers and GOP a late joiner starts with.</param>
    void OnFrame(StreamHub hub, MediaFrame frame, bool fromCache);

    /// <summary>The publisher left; the subscriber stays subscribed for a republish.</summary>
    void OnPublishStop(StreamHub hub);

    /// <summary>
    /// The end of a batch of <see cref="OnFrame"/> calls (a write, or a late joiner's cached start): send what was
    /// queued. Called outside the hub's lock, possibly after the subscriber left (then it does nothing); must not wait.
    /// </summary>
    void OnFlush(StreamHub hub);
}

/// <summary>
/// One stream path ("live/cam"): at most one publisher, any number of subscribers. It keeps the
/// metadata, the audio and video sequence headers and the frames since the last keyframe, so a
/// subscriber that joins late starts at that keyframe at once. The publisher never waits: fan-out
/// hands each subscriber a reference to the same frame and returns.
/// <para>
/// With an audio hold, a batch of audio alone is queued but not flushed: it leaves with the next batch that carries
/// anything else (the next video frame, in practice), or when the hold expires, whichever comes first. A player's
/// cost is its sends, and most of a send's cost is the kernel's (the loopback or NIC path and waking the player),
/// not its bytes: audio that rides with video cut the sends per player by a quarter to a third (an ffmpeg publisher
/// at 30 fps: 54 a second became 35 to 41). The hold's timer wakes a thread per held batch (about 500 futex calls a
/// second), which costs back part of that. Video is never held. See docs/BENCHMARKS.md.
/// </para>
/// </summary>
public sealed class StreamHub
{
    /// <summary>The audio hold a server's hubs use. Video latency is untouched; audio arrives up to this much later.</summary>
    public static readonly TimeSpan DefaultAudioHold = TimeSpan.FromMilliseconds(15);

    private static readonly TimerCallback s_flushHeld = static state => ((StreamHub)state!).FlushHeld();

    private readonly Lock _gate = new();
    private readonly TimeSpan _audioHold;
    private readonly TimeProvider _time;
    private ITimer? _holdTimer;

    /// <summary>Audio was queued to the subscribers and not flushed yet; the hold timer is armed.</summary>
    private bool _holding;
    private readonly List<MediaFrame> _gop = [];
    private IMediaSubscriber[] _subscribers = [];
    private object? _publisher;
    private MediaFrame? _metadata;
    private MediaFrame? _audioSequenceHeader;
    private MediaFrame? _videoSequenceHeader;
    private long _gopBytes;
    private bool _gopOverflowed;

    /// <param name="audioHold">How long a batch of audio alone may wait for the next batch before it is flushed; zero: never.</param>
    /// <param name="time">The clock of the audio hold.</param>
    public StreamHub(string name, long maxGopBytes = 16 * 1024 * 1024, TimeSpan audioHold = default, TimeProvider? time = null)
    {
        Name = name;
        MaxGopBytes = maxGopBytes;
        _audioHold = audioHold;
        _time = time ?? TimeProvider.System;
    }

    public string Name { get; }

    /// <summary>Past this many bytes the GOP cache is dropped until the next keyframe (a stream with rare keyframes).</summary>
    public long MaxGopBytes { get; }

    public bool IsPublishing => Volatile.Read(ref _publisher) is not null;

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Raised (outside the lock) when the subscriber count or the publishing state changes.</summary>
    public event Action<StreamHub>? Changed;

    /// <summary>Claims the stream for <paramref name="publisher"/>; false when another publisher holds it.</summary>
    public bool TryStartPublishing(object publisher)
    {
        IMediaSubscriber[] subscribers;
        lock (_gate)
        {
            if (_publisher is not null)
            {
                return false;
            }

            _publisher = publisher;
            ClearCache();
            subscribers = _subscribers;
            foreach (IMediaSubscriber subscriber in subscribers)
            {
                subscriber.OnPublishStart(this);
            }
        }

        Changed?.Invoke(this);
        return true;
    }

    /// <summary>Ends <paramref name="publisher"/>'s claim; a no-op for anyone else.</summary>
    public void StopPublishing(object publisher)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_publisher, publisher))
            {
                return;
            }

            _publisher = null;
            ClearCache();
            foreach (IMediaSubscriber subscriber in _subscribers)
            {
                subscriber.OnPublishStop(this);
            }
        }

        Changed?.Invoke(this);
    }

    /// <summary>A batch of one: <see cref="Write(object, ReadOnlySpan{MediaFrame})"/>.</summary>
    public void Write(object publisher, MediaFrame frame) => Write(publisher, new ReadOnlySpan<MediaFrame>(in frame));

    /// <summary>
    /// Hands <paramref name="batch"/> to every subscriber, in order, and keeps what a late joiner needs; then
    /// flushes each subscriber once (outside the lock), so the batch leaves in one gathered write per player; a batch
    /// of audio alone waits for the next batch up to the audio hold. The caller keeps its own references. Only the
    /// current publisher may write.
    /// </summary>
    public void Write(object publisher, ReadOnlySpan<MediaFrame> batch)
    {
        IMediaSubscriber[] subscribers;
        lock (_gate)
        {
            if (!ReferenceEquals(_publisher, publisher) || batch.IsEmpty)
            {
                return;
            }

            subscribers = _subscribers;
            bool audioOnly = true;
            foreach (MediaFrame frame in batch)
            {
                audioOnly &= frame.Kind == MediaKind.Audio && !frame.IsSequenceHeader;
                Cache(frame);
                foreach (IMediaSubscriber subscriber in subscribers)
                {
                    subscriber.OnFrame(this, frame, fromCache: false);
                }
            }

            if (audioOnly && _audioHold > TimeSpan.Zero)
            {
                if (!_holding)
                {
                    _holding = true;
                    (_holdTimer ??= _time.CreateTimer(s_flushHeld, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
                        .Change(_audioHold, Timeout.InfiniteTimeSpan);
                }

                return;
            }

            if (_holding)
            {
                _holding = false;
                _holdTimer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        foreach (IMediaSubscriber subscriber in subscribers)
        {
            subscriber.OnFlush(this);
        }
    }

    /// <summary>The audio hold expired before another batch came: flush what waits.</summary>
    private void FlushHeld()
    {
        IMediaSubscriber[] subscribers;
        lock (_gate)
        {
            if (!_holding)
            {
                return;
            }

            _holding = false;
            subscribers = _subscribers;
        }

        foreach (IMediaSubscriber subscriber in subscribers)
        {
            subscriber.OnFlush(this);
        }
    }

    /// <summary>
    /// Adds a subscriber. If the stream is live it gets <see cref="IMediaSubscriber.OnPublishStart"/> and
    /// the cached start (metadata, sequence headers, the GOP from its keyframe) before any live frame.
    /// </summary>
    public void Subscribe(IMediaSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscriber];
            if (_publisher is not null)
            {
                subscriber.OnPublishStart(this);
                if (_metadata is not null) subscriber.OnFrame(this, _metadata, fromCache: true);
                if (_videoSequenceHeader is not null) subscriber.OnFrame(this, _videoSequenceHeader, fromCache: true);
                if (_audioSequenceHeader is not null) subscriber.OnFrame(this, _audioSequenceHeader, fromCache: true);
                foreach (MediaFrame frame in _gop)
                {
                    subscriber.OnFrame(this, frame, fromCache: true);
                }
            }
        }

        subscriber.OnFlush(this);
        Changed?.Invoke(this);
    }

    public void Unsubscribe(IMediaSubscriber subscriber)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_subscribers, subscriber);
            if (index < 0)
            {
                return;
            }

            _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
        }

        Changed?.Invoke(this);
    }

    private void Cache(MediaFrame frame)
    {
        if (frame.Kind == MediaKind.Data)
        {
            if (frame.IsMetadata)
            {
                Replace(ref _metadata, frame);
            }

            return;
        }

        if (frame.IsSequenceHeader)
        {
            if (frame.Kind == MediaKind.Video)
            {
                Replace(ref _videoSequenceHeader, frame);
            }
            else
            {
                Replace(ref _audioSequenceHeader, frame);
            }

            return;
        }

        if (frame.Kind == MediaKind.Video && frame.IsKeyframe)
        {
            ClearGop();
            _gopOverflowed = false;
        }
        else if (_gop.Count == 0 || _gopOverflowed)
        {
            // Nothing to start from until a keyframe arrives.
            return;
        }

        if (_gopBytes + frame.Length > MaxGopBytes)
        {
            ClearGop();
            _gopOverflowed = true;
            return;
        }

        frame.AddReference();
        _gop.Add(frame);
        _gopBytes += frame.Length;
    }

    private static void Replace(ref MediaFrame? slot, MediaFrame frame)
    {
        frame.AddReference();
        slot?.Release();
        slot = frame;
    }

    private void ClearCache()
    {
        _metadata?.Release();
        _audioSequenceHeader?.Release();
        _videoSequenceHeader?.Release();
        _metadata = _audioSequenceHeader = _videoSequenceHeader = null;
        ClearGop();
    }

    private void ClearGop()
    {
        foreach (MediaFrame frame in _gop)
        {
            frame.Release();
        }

        _gop.Clear();
        _gopBytes = 0;
    }
}
