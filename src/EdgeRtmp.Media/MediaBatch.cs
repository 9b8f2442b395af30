namespace EdgeRtmp.Media;

/// <summary>
/// Frames a producer collects to hand over together (<see cref="IMediaSink.Write"/>): it owns one reference to each
/// until <see cref="WriteTo"/> or <see cref="Clear"/> releases them. Reusable and allocation-free once it has grown
/// to the largest batch; not thread-safe (one per producer).
/// </summary>
public sealed class MediaBatch
{
    private MediaFrame[] _frames;
    private int _count;

    public MediaBatch(int capacity = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _frames = new MediaFrame[capacity];
    }

    public int Count => _count;

    /// <summary>The frames collected so far, in the order they were added.</summary>
    public ReadOnlySpan<MediaFrame> Frames => _frames.AsSpan(0, _count);

    /// <summary>Adds <paramref name="frame"/>, taking over the caller's reference (a frame fresh from the pool).</summary>
    public void Add(MediaFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_count == _frames.Length)
        {
            Array.Resize(ref _frames, _frames.Length * 2);
        }

        _frames[_count++] = frame;
    }

    /// <summary>Hands the frames to <paramref name="sink"/> as one batch (when there are any), then releases them.</summary>
    public void WriteTo(IMediaSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        try
        {
            if (_count > 0)
            {
                sink.Write(Frames);
            }
        }
        finally
        {
            Clear();
        }
    }

    /// <summary>Releases the frames without handing them over.</summary>
    public void Clear()
    {
        for (int i = 0; i < _count; i++)
        {
            _frames[i].Release();
            _frames[i] = null!;
        }

        _count = 0;
    }
}
