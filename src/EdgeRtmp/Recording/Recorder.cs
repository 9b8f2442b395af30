using System.Buffers;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Recording;

/// <summary>
/// Records the box's stream as FLV segments: a hub subscriber whose calls only queue (a reference to each frame) and a
/// thread of its own that writes. A segment starts at a video keyframe (any frame for audio only) once the previous
/// one has run <see cref="RecorderOptions.SegmentLength"/>, is named by its UTC start time
/// (<c>2026-12-02T10-37-01Z.flv</c>: sortable, and no colons for FAT-formatted cards), and is fsync'ed every
/// <see cref="RecorderOptions.SyncInterval"/> and at close, by <see cref="SegmentSyncer"/>'s thread, so writing goes
/// on while a slow card syncs. Retention deletes the oldest segments past
/// <see cref="RecorderOptions.MaxBytes"/>; below <see cref="RecorderOptions.MinFreeBytes"/> free, recording stops
/// (logged once, <see cref="FaultChanged"/> raised for the error LED) and resumes when space is back; streaming never
/// waits for the disk. When the disk falls behind, video is dropped until the next keyframe.
/// <para>
/// Attached to a hub (<see cref="Attach"/>), it is the hub's subscriber only while recording is on: switched off (the
/// record button), it leaves the hub, so no frame reaches it and its thread sleeps; switched on, it subscribes again
/// and the hub hands it the sequence headers and the current GOP, so the first segment starts at the last keyframe.
/// </para>
/// </summary>
public sealed class Recorder : IMediaSubscriber, IDisposable
{
    private readonly Lock _gate = new();

    /// <summary>Serialises subscribing and leaving; never taken inside a hub callback (the hub calls us under its own lock).</summary>
    private readonly Lock _subscription = new();
    private StreamHub? _hub;
    private volatile bool _subscribed;
    private readonly RecorderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, long> _freeBytes;
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread? _thread;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly SegmentSyncer _syncer;
    private MediaFrame[] _queue;
    private MediaFrame[] _draining;
    private int _queued;
    private bool _dropVideoUntilKeyframe;
    private long _dropped;
    private bool _stopping;
    private bool _enabled;
    private bool _publishStopped;

    // Writer thread only.
    private FlvSegmentFile? _segment;
    private MediaFrame? _audioHeader;
    private MediaFrame? _videoHeader;
    private long _lastSync;
    private long _lastFloorCheck;
    private bool _belowFloor;
    private bool _writeFailed;
    private bool _wasEnabled = true;
    private bool _sawVideo;
    private bool _sawAudio;
    private uint _firstAudioTimestamp;
    private const uint AudioOnlyAfterMs = 2000;
    private long _reportedDrops;

    public Recorder(RecorderOptions options, TimeProvider time, ILogger logger, Func<string, long>? freeBytes = null)
        : this(options, time, logger, freeBytes, writerThread: true)
    {
    }

    /// <param name="writerThread">False for tests: they call <see cref="Drain"/> themselves, on their thread.</param>
    /// <param name="syncer">Taken over; by default one with a thread of its own, or, without a writer thread, one that syncs when asked.</param>
    internal Recorder(RecorderOptions options, TimeProvider time, ILogger logger, Func<string, long>? freeBytes, bool writerThread, SegmentSyncer? syncer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _logger = logger;
        _freeBytes = freeBytes ?? FreeBytes;
        _enabled = options.Enabled;
        _queue = new MediaFrame[options.QueueCapacity];
        _draining = new MediaFrame[options.QueueCapacity];
        Directory.CreateDirectory(options.Directory);
        _syncer = syncer ?? new SegmentSyncer(logger, sync: null, ownThread: writerThread);
        if (writerThread)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "recorder" };
            _thread.Start();
        }
        else
        {
            ApplyRetention();
        }
    }

    /// <summary>True while recording cannot go on (disk floor, write error): the panel lights the error LED.</summary>
    public event Action<bool>? FaultChanged;

    /// <summary>The segment being written, or null.</summary>
    public string? CurrentSegment => Volatile.Read(ref _segment)?.Path;

    public bool Enabled
    {
        get
        {
            lock (_gate)
            {
                return _enabled;
            }
        }
    }

    public bool Faulted => Volatile.Read(ref _belowFloor) || Volatile.Read(ref _writeFailed);

    /// <summary>One phrase for STATUS=: "recording", "recording off", "recording stopped: disk nearly full".</summary>
    public string Status => Faulted
        ? (Volatile.Read(ref _belowFloor) ? "recording stopped: disk nearly full" : "recording stopped: write error")
        : Enabled ? "recording" : "recording off";

    /// <summary>Frames dropped because the disk fell behind.</summary>
    public long DroppedFrames => Interlocked.Read(ref _dropped);

    /// <summary>Whether the recorder is its hub's subscriber now (recording on): the panel does not count it as a viewer.</summary>
    public bool IsSubscribed => _subscribed;

    /// <summary>Records <paramref name="hub"/>: subscribes now if recording is on, else when it is switched on.</summary>
    public void Attach(StreamHub hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        lock (_subscription)
        {
            _hub = hub;
            UpdateSubscription();
        }
    }

    /// <summary>Leaves the hub for good (the service stops).</summary>
    public void Detach()
    {
        lock (_subscription)
        {
            StreamHub? hub = _hub;
            _hub = null;
            if (hub is not null && _subscribed)
            {
                _subscribed = false;
                hub.Unsubscribe(this);
            }
        }
    }

    /// <summary>Starts or stops recording (the record button); a stop closes the segment at once and leaves the hub.</summary>
    public void SetEnabled(bool enabled)
    {
        lock (_subscription)
        {
            lock (_gate)
            {
                if (_enabled == enabled)
                {
                    return;
                }

                _enabled = enabled;
            }

            UpdateSubscription();
        }

        RecordingLog.Toggled(_logger, enabled ? "on" : "off");
        _wake.Set();
    }

    public void Toggle() => SetEnabled(!Enabled);

    public void OnPublishStart(StreamHub hub)
    {
    }

    public void OnFrame(StreamHub hub, MediaFrame frame, bool fromCache)
    {
        lock (_gate)
        {
            bool video = frame.Kind == MediaKind.Video && !frame.IsSequenceHeader;
            if (video && _dropVideoUntilKeyframe)
            {
                if (!frame.IsKeyframe)
                {
                    _dropped++;
                    return;
                }

                _dropVideoUntilKeyframe = false;
            }

            // Sequence headers and metadata are never dropped while there is room; media gives way first.
            if (_queued == _queue.Length)
            {
                _dropped++;
                _dropVideoUntilKeyframe = true;
                return;
            }

            frame.AddReference();
            _queue[_queued++] = frame;
        }

        _wake.Set();
    }

    /// <summary>The end of a batch of frames from the hub: the writer takes them all in one wake-up.</summary>
    public void OnFlush(StreamHub hub) => _wake.Set();

    public void OnPublishStop(StreamHub hub)
    {
        lock (_gate)
        {
            _publishStopped = true;
        }

        _wake.Set();
    }

    /// <summary>Closes the open segment (fsync'ed) and stops the writer thread.</summary>
    public void Dispose()
    {
        Detach();
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        _wake.Set();
        if (_thread is null)
        {
            Drain();
            ReleaseAll();
        }
        else
        {
            _thread.Join();
        }

        _syncer.Dispose();
        _wake.Dispose();
    }

    /// <summary>
    /// Subscribed exactly while recording is on (under <see cref="_subscription"/>). The flag changes before the hub's
    /// <see cref="StreamHub.Changed"/> is raised, so whoever counts viewers then counts us right.
    /// </summary>
    private void UpdateSubscription()
    {
        if (_hub is not { } hub)
        {
            return;
        }

        bool wanted;
        lock (_gate)
        {
            wanted = _enabled && !_stopping;
        }

        if (wanted && !_subscribed)
        {
            _subscribed = true;
            hub.Subscribe(this);
        }
        else if (!wanted && _subscribed)
        {
            _subscribed = false;
            hub.Unsubscribe(this);
        }
    }

    private static long FreeBytes(string directory) => new DriveInfo(directory).AvailableFreeSpace;

    private void Run()
    {
        try
        {
            ApplyRetention();
            do
            {
                _wake.WaitOne();
            }
            while (Drain());
        }
        finally
        {
            ReleaseAll();
        }
    }

    /// <summary>Writes what is queued; false once the recorder is stopping (the segment is then closed).</summary>
    internal bool Drain()
    {
        int count;
        bool stopping, enabled, publishStopped;
        lock (_gate)
        {
            (_queue, _draining) = (_draining, _queue);
            count = _queued;
            _queued = 0;
            stopping = _stopping;
            enabled = _enabled;
            publishStopped = _publishStopped;
            _publishStopped = false;
        }

        if (enabled && !_wasEnabled && Volatile.Read(ref _writeFailed))
        {
            // Switching recording back on (the record button) is the way to try again after a write error.
            Volatile.Write(ref _writeFailed, false);
            FaultChanged?.Invoke(_belowFloor);
        }

        _wasEnabled = enabled;
        if (_syncer.TakeError() is { } syncError)
        {
            Fail(syncError);
        }

        for (int i = 0; i < count; i++)
        {
            MediaFrame frame = _draining[i];
            _draining[i] = null!;
            try
            {
                Process(frame, enabled);
            }
            finally
            {
                frame.Release();
            }
        }

        ReportDrops();
        if (stopping || !enabled || publishStopped)
        {
            CloseSegment();
        }

        return !stopping;
    }

    private void ReleaseAll()
    {
        CloseSegment();
        lock (_gate)
        {
            for (int i = 0; i < _queued; i++)
            {
                _queue[i].Release();
                _queue[i] = null!;
            }

            _queued = 0;
        }

        Replace(ref _audioHeader, null);
        Replace(ref _videoHeader, null);
    }

    private void Process(MediaFrame frame, bool enabled)
    {
        if (frame.IsMetadata)
        {
            // Segments carry onMetaData of their own (FlvSegmentFile); the source's is for live players.
            return;
        }

        if (frame.IsSequenceHeader)
        {
            if (frame.Kind == MediaKind.Audio)
            {
                Replace(ref _audioHeader, frame);
            }
            else
            {
                Replace(ref _videoHeader, frame);
            }

            if (_segment is not null)
            {
                // A new configuration mid-segment (resolution change) goes in where it happened.
                WriteToSegment(frame);
            }

            return;
        }

        if (!enabled || _writeFailed)
        {
            return;
        }

        if (frame.Kind == MediaKind.Video)
        {
            _sawVideo = true;
        }
        else if (!_sawAudio)
        {
            _sawAudio = true;
            _firstAudioTimestamp = frame.Timestamp;
        }

        // Segments start at video keyframes. A stream is taken for audio only (any frame may start a segment) once
        // its audio has run AudioOnlyAfterMs without a video frame: the video's first frames can trail the audio's.
        bool segmentBoundary = _sawVideo
            ? frame.Kind == MediaKind.Video && frame.IsKeyframe
            : frame.Timestamp - _firstAudioTimestamp >= AudioOnlyAfterMs;
        if (_segment is null)
        {
            if (!segmentBoundary || !FloorAllowsRecording())
            {
                return;
            }

            OpenSegment(frame.Timestamp);
        }
        else if (segmentBoundary && frame.Timestamp - _segment.BaseTimestamp >= (uint)_options.SegmentLength.TotalMilliseconds)
        {
            CloseSegment();
            ApplyRetention();
            if (!FloorAllowsRecording())
            {
                return;
            }

            OpenSegment(frame.Timestamp);
        }

        if (_segment is null)
        {
            return;
        }

        WriteToSegment(frame);
        if (_segment is not null && _time.GetElapsedTime(_lastSync) >= _options.SyncInterval)
        {
            Sync();
        }
    }

    private bool FloorAllowsRecording()
    {
        if (_options.MinFreeBytes <= 0)
        {
            return true;
        }

        if (_belowFloor && _time.GetElapsedTime(_lastFloorCheck) < _options.FloorRecheckInterval)
        {
            return false;
        }

        _lastFloorCheck = _time.GetTimestamp();
        long free = _freeBytes(_options.Directory);
        if (!_belowFloor && free < _options.MinFreeBytes)
        {
            SetFloor(true);
            RecordingLog.FloorReached(_logger, _options.Directory, free, _options.MinFreeBytes);
            return false;
        }

        // Resume with a margin of a tenth, so a card hovering at the floor does not start and stop every segment.
        if (_belowFloor)
        {
            if (free < _options.MinFreeBytes + (_options.MinFreeBytes / 10))
            {
                return false;
            }

            SetFloor(false);
            RecordingLog.FloorCleared(_logger, _options.Directory, free);
        }

        return true;
    }

    private void SetFloor(bool below)
    {
        Volatile.Write(ref _belowFloor, below);
        FaultChanged?.Invoke(below);
    }

    private void OpenSegment(uint baseTimestamp)
    {
        string path = SegmentPath(_time.GetUtcNow());
        try
        {
            Volatile.Write(ref _segment, FlvSegmentFile.Create(
                path, _buffer, baseTimestamp, _audioHeader, _videoHeader, hasAudio: _audioHeader is not null, hasVideo: _videoHeader is not null));
            _lastSync = _time.GetTimestamp();
            RecordingLog.SegmentOpened(_logger, path);
        }
        catch (IOException e)
        {
            Fail(e);
        }
        catch (UnauthorizedAccessException e)
        {
            Fail(e);
        }
    }

    private void WriteToSegment(MediaFrame frame)
    {
        try
        {
            _segment!.Write(frame);
        }
        catch (IOException e)
        {
            // ENOSPC despite the floor (another writer filled the card): keep what is on disk, stop, keep streaming.
            Fail(e);
        }
    }

    /// <summary>Asks for an fsync, and checks the floor: the space the last one settled is counted now.</summary>
    private void Sync()
    {
        _syncer.Sync(_segment!);
        _lastSync = _time.GetTimestamp();
        if (_options.MinFreeBytes > 0 && _freeBytes(_options.Directory) < _options.MinFreeBytes)
        {
            CloseSegment();
            FloorAllowsRecording();
        }
    }

    private void Fail(Exception e)
    {
        CloseSegment();
        Volatile.Write(ref _writeFailed, true);
        RecordingLog.WriteFailed(_logger, e.Message);
        FaultChanged?.Invoke(true);
    }

    private void CloseSegment()
    {
        FlvSegmentFile? segment = _segment;
        if (segment is null)
        {
            return;
        }

        Volatile.Write(ref _segment, null);
        _syncer.Complete(segment);
    }

    private string SegmentPath(DateTimeOffset utc)
    {
        string stem = Path.Combine(_options.Directory, utc.UtcDateTime.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        string path = stem + ".flv";
        for (int n = 2; File.Exists(path) && n < 1000; n++)
        {
            path = $"{stem}-{n}.flv";
        }

        return path;
    }

    /// <summary>Deletes the oldest segments (by name, which is by start time) while the total passes MaxBytes.</summary>
    private void ApplyRetention()
    {
        if (_options.MaxBytes <= 0)
        {
            return;
        }

        try
        {
            FileInfo[] files = new DirectoryInfo(_options.Directory).GetFiles("*.flv");
            Array.Sort(files, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            long total = files.Sum(file => file.Length);
            string? current = _segment?.Path;
            foreach (FileInfo file in files)
            {
                if (total <= _options.MaxBytes)
                {
                    break;
                }

                if (file.FullName == current)
                {
                    continue;
                }

                total -= file.Length;
                file.Delete();
                RecordingLog.SegmentDeleted(_logger, _options.MaxBytes, file.FullName);
            }
        }
        catch (IOException e)
        {
            RecordingLog.WriteFailed(_logger, "retention: " + e.Message);
        }
    }

    private void ReportDrops()
    {
        long dropped = Interlocked.Read(ref _dropped);
        if (dropped != _reportedDrops)
        {
            RecordingLog.Dropped(_logger, dropped - _reportedDrops);
            _reportedDrops = dropped;
        }
    }

    private static void Replace(ref MediaFrame? slot, MediaFrame? frame)
    {
        frame?.AddReference();
        slot?.Release();
        slot = frame;
    }
}
