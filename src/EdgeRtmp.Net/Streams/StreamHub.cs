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
/// anything else (the next video frame, in practice), so a player gets one send per video frame. A player's cost is
/// its sends, and most of a send's cost is the kernel's (the loopback or NIC path and waking the player), not its
/// bytes. Held audio never reaches a player later than the video frame that follows it, which a player needs before it
/// can show that moment anyway. The hold is bounded without a timer per batch: an audio batch that finds audio held
/// for the hold's length or more flushes it (video stopped), and a coarse backstop, a periodic tick of twice the hold
/// that runs while audio keeps being held, flushes audio that nothing followed (a publisher that paused); a timer
/// armed per held batch would wake the timer thread and a pool thread for each. Video is never held, nor the audio of
/// a publication that has carried no video. See docs/BENCHMARKS.md.
/// </para>
/// </summary>
public sealed class StreamHub
{
    /// <summary>
    /// The audio hold a server's hubs use: the longest a batch of audio alone waits for a batch with video. Long enough
    /// that video at 20 fps and more releases it (30 fps: a frame every 33 ms); audio nothing follows is flushed by the
    /// backstop within three times this.
    /// </summary>
    public static readonly TimeSpan DefaultAudioHold = TimeSpan.FromMilliseconds(50);

    private static readonly TimerCallback s_backstop = static state => ((StreamHub)state!).OnBackstop();

    private readonly Lock _gate = new();
    private readonly TimeSpan _audioHold;
    private readonly TimeProvider _time;
    private ITimer? _backstop;

    /// <summary>The backstop timer runs (periodic, twice the hold); it stops after a period in which nothing was held.</summary>
    private bool _backstopRunning;

    /// <summary>Audio was held since the backstop's last tick.</summary>
    private bool _heldSinceTick;

    /// <summary>Audio was queued to the subscribers and not flushed yet, since <see cref="_heldSince"/>.</summary>
    private bool _holding;
    private long _heldSince;

    /// <summary>This publication has carried video: audio has something to ride with.</summary>
    private bool _carriesVideo;
    private readonly List<MediaFrame> _gop = [];
    private IMediaSubscriber[] _subscribers = [];
    private object? _publisher;
    private MediaFrame? _metadata;
    private MediaFrame? _audioSequenceHeader;
    private MediaFrame? _videoSequenceHeader;
    private long _gopBytes;
    private bool _gopOverflowed;

    /// <param name="audioHold">The longest a batch of audio alone waits for a batch with video; zero: audio is never held.</param>
    /// <param name="time">The clock of the audio hold and its backstop.</param>
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
        IMediaSubscriber[] subscribers;
        bool held;
        lock (_gate)
        {
            if (!ReferenceEquals(_publisher, publisher))
            {
                return;
            }

            _publisher = null;
            ClearCache();
            subscribers = _subscribers;
            foreach (IMediaSubscriber subscriber in subscribers)
            {
                subscriber.OnPublishStop(this);
            }

            held = _holding;
            _holding = false;
        }

        if (held)
        {
            // The publisher's last audio goes out now, not at the backstop's tick.
            foreach (IMediaSubscriber subscriber in subscribers)
            {
                subscriber.OnFlush(this);
            }
        }

        Changed?.Invoke(this);
    }

    /// <summary>A batch of one: <see cref="Write(object, ReadOnlySpan{MediaFrame})"/>.</summary>
    public void Write(object publisher, MediaFrame frame) => Write(publisher, new ReadOnlySpan<MediaFrame>(in frame));

    /// <summary>
    /// Hands <paramref name="batch"/> to every subscriber, in order, and keeps what a late joiner needs; then
    /// flushes each subscriber once (outside the lock), so the batch leaves in one gathered write per player; a batch
    /// of audio alone waits for the next batch with video, up to the audio hold. The caller keeps its own references.
    /// Only the current publisher may write.
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
                _carriesVideo |= frame.Kind == MediaKind.Video;
                Cache(frame);
                foreach (IMediaSubscriber subscriber in subscribers)
                {
                    subscriber.OnFrame(this, frame, fromCache: false);
                }
            }

            // Audio of a stream without video is not held: nothing would come to take it sooner than the hold.
            if (audioOnly && _carriesVideo && _audioHold > TimeSpan.Zero && Hold())
            {
                return;
            }

            _holding = false;
        }

        foreach (IMediaSubscriber subscriber in subscribers)
        {
            subscriber.OnFlush(this);
        }
    }

    /// <summary>
    /// A batch of audio alone came: true to keep it (and what is held already) for the next batch, false to flush now
    /// because audio has waited the hold's length. Under the lock; reads the clock only while audio is held.
    /// </summary>
    private bool Hold()
    {
        if (!_holding)
        {
            _holding = true;
            _heldSince = _time.GetTimestamp();
            _heldSinceTick = true;
            if (!_backstopRunning)
            {
                _backstopRunning = true;
                TimeSpan period = 2 * _audioHold;
                (_backstop ??= _time.CreateTimer(s_backstop, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
                    .Change(period, period);
            }

            return true;
        }

        return _time.GetElapsedTime(_heldSince) < _audioHold;
    }

    /// <summary>
    /// The backstop's tick: flushes audio held for the hold's length that no batch followed. It keeps running while
    /// audio keeps being held (10 ticks a second at the default hold, whatever the batch rate; starting and stopping
    /// it would wake the timer thread each time) and stops after a period without any, so an idle or video-only hub
    /// costs nothing.
    /// </summary>
    private void OnBackstop()
    {
        IMediaSubscriber[] subscribers;
        lock (_gate)
        {
            bool heldSinceTick = _heldSinceTick;
            _heldSinceTick = false;
            if (!_holding)
            {
                if (!heldSinceTick)
                {
                    _backstopRunning = false;
                    _backstop!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }

                return;
            }

            if (_time.GetElapsedTime(_heldSince) < _audioHold)
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
        _carriesVideo = false;
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
