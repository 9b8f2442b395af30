using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.Flv;

/// <summary>
/// Plays an FLV file in a loop (for <c>--video file:PATH.flv</c>): at the end it rewinds and adds
/// <see cref="TimestampOffset"/> to every timestamp so they keep increasing across loops. The next
/// loop starts one frame interval (the last positive video delta, else audio, else 40 ms) after the
/// largest timestamp of the previous pass. The file's own sequence headers and onMetaData come again
/// on each loop; decoders accept repeated identical sequence headers.
/// </summary>
public sealed class FlvLoopReader : IDisposable, IAsyncDisposable
{
    public const uint DefaultFrameInterval = 40;

    private readonly FlvFileReader _reader;
    private uint _passMinimum;
    private uint _passMaximum;
    private long _tagsThisPass;
    private uint _lastVideo;
    private uint _lastAudio;
    private bool _seenVideo;
    private bool _seenAudio;
    private uint _videoInterval;
    private uint _audioInterval;

    public FlvLoopReader(Stream stream, bool leaveOpen = false, int maxTagDataSize = FlvReader.DefaultMaxTagDataSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("Looping FLV playback needs a seekable stream", nameof(stream));
        }

        _reader = new FlvFileReader(stream, leaveOpen, maxTagDataSize);
        ResetPass();
    }

    /// <summary>The tag just read, with <see cref="TimestampOffset"/> already added; payload valid until the next read.</summary>
    public FlvTag Current { get; private set; }

    /// <summary>What was added to the file's timestamps in this pass (0 on the first).</summary>
    public uint TimestampOffset { get; private set; }

    /// <summary>How many times the file has been rewound.</summary>
    public int LoopCount { get; private set; }

    public FlvHeader Header => _reader.Header;

    /// <summary>Reads the next tag, rewinding at the end of the file. False only when the file holds no tags at all.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadTagAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (await _reader.ReadTagAsync(cancellationToken).ConfigureAwait(false))
            {
                FlvTag tag = _reader.Current;
                Track(tag);
                Current = tag.WithTimestamp(unchecked(tag.Timestamp + TimestampOffset));
                return true;
            }

            if (_tagsThisPass == 0)
            {
                return false;
            }

            NextPass();
        }
    }

    /// <summary>Rewinds for the next pass, one frame interval after the last one's largest timestamp.</summary>
    private void NextPass()
    {
        uint interval = _videoInterval != 0 ? _videoInterval : _audioInterval != 0 ? _audioInterval : DefaultFrameInterval;
        TimestampOffset = unchecked(TimestampOffset + (_passMaximum - _passMinimum) + interval);
        LoopCount++;
        _reader.Rewind();
        ResetPass();
    }

    /// <summary>The synchronous <see cref="ReadTagAsync"/>, for a reader on a thread of its own (a pacing loop).</summary>
    public bool TryReadTag(out FlvTag tag)
    {
        while (true)
        {
            if (_reader.TryReadTag(out FlvTag read))
            {
                Track(read);
                Current = tag = read.WithTimestamp(unchecked(read.Timestamp + TimestampOffset));
                return true;
            }

            if (_tagsThisPass == 0)
            {
                tag = default;
                return false;
            }

            NextPass();
        }
    }

    private void Track(FlvTag tag)
    {
        uint timestamp = tag.Timestamp;
        _tagsThisPass++;
        _passMinimum = Math.Min(_passMinimum, timestamp);
        _passMaximum = Math.Max(_passMaximum, timestamp);
        if (tag.TagType == FlvTagType.Video)
        {
            if (_seenVideo && timestamp > _lastVideo)
            {
                _videoInterval = timestamp - _lastVideo;
            }

            _lastVideo = timestamp;
            _seenVideo = true;
        }
        else if (tag.TagType == FlvTagType.Audio)
        {
            if (_seenAudio && timestamp > _lastAudio)
            {
                _audioInterval = timestamp - _lastAudio;
            }

            _lastAudio = timestamp;
            _seenAudio = true;
        }
    }

    private void ResetPass()
    {
        _passMinimum = uint.MaxValue;
        _passMaximum = 0;
        _tagsThisPass = 0;
        _seenVideo = _seenAudio = false;
    }

    public void Dispose() => _reader.Dispose();

    public ValueTask DisposeAsync() => _reader.DisposeAsync();
}
