namespace EdgeRtmp.Pipeline.Audio;

/// <summary>
/// Whole PCM frames with their presentation times, from the capture thread to the encoder thread: one producer, one
/// consumer, every slot allocated up front, nothing allocated per frame. The producer never waits: when every slot is
/// taken (the encoder is behind by the ring's whole length) the frame is refused and counted in <see cref="Refused"/>,
/// and capture goes on reading the device, which is what keeps ALSA from overrunning. The consumer blocks in
/// <see cref="TryTake"/> until a frame is there or <see cref="Complete"/> was called and the ring is empty.
/// </summary>
internal sealed class PcmFrameRing
{
    private readonly short[] _samples;
    private readonly TimeSpan[] _presentations;
    private readonly int _frameLength;

    /// <summary>One count per published frame, and one more from <see cref="Complete"/>. Waiting on it does not allocate.</summary>
    private readonly SemaphoreSlim _published = new(0);

    private long _written;
    private long _read;
    private long _refused;
    private int _highWater;
    private int _completed;

    /// <param name="capacity">Frames the ring holds: how far the encoder may fall behind before frames are refused.</param>
    /// <param name="frameLength">Interleaved samples per frame (1024 × channels for AAC).</param>
    public PcmFrameRing(int capacity, int frameLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameLength, 1);
        Capacity = capacity;
        _frameLength = frameLength;
        _samples = new short[capacity * frameLength];
        _presentations = new TimeSpan[capacity];
    }

    public int Capacity { get; }

    /// <summary>Frames refused because the ring was full (the encoder fell behind): audio lost after capture.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The most frames the ring has held at once: how far behind the encoder has been.</summary>
    public int HighWater => Volatile.Read(ref _highWater);

    /// <summary>Producer: copies <paramref name="frame"/> into the next slot for the consumer; false (counted) when the ring is full.</summary>
    public bool TryWrite(ReadOnlySpan<short> frame, TimeSpan presentation)
    {
        if (frame.Length != _frameLength)
        {
            throw new ArgumentException($"a frame holds {_frameLength} samples", nameof(frame));
        }

        long written = _written;
        int held = (int)(written - Volatile.Read(ref _read));
        if (held >= Capacity)
        {
            Interlocked.Increment(ref _refused);
            return false;
        }

        int slot = (int)(written % Capacity);
        frame.CopyTo(_samples.AsSpan(slot * _frameLength, _frameLength));
        _presentations[slot] = presentation;
        Volatile.Write(ref _written, written + 1);
        if (held + 1 > _highWater)
        {
            Volatile.Write(ref _highWater, held + 1);
        }

        _published.Release();
        return true;
    }

    /// <summary>Producer: no more frames; the consumer takes what is left, then <see cref="TryTake"/> returns false.</summary>
    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _published.Release();
        }
    }

    /// <summary>
    /// Consumer: waits for the oldest frame and lends it (valid until <see cref="Release"/>); false once the ring is
    /// completed and empty (the end: do not call it again).
    /// </summary>
    public bool TryTake(out ReadOnlySpan<short> frame, out TimeSpan presentation)
    {
        while (true)
        {
            _published.Wait();
            long read = _read;
            if (read < Volatile.Read(ref _written))
            {
                frame = _samples.AsSpan((int)(read % Capacity) * _frameLength, _frameLength);
                presentation = _presentations[read % Capacity];
                return true;
            }

            if (Volatile.Read(ref _completed) != 0)
            {
                frame = default;
                presentation = default;
                return false;
            }
        }
    }

    /// <summary>Consumer: gives back the slot <see cref="TryTake"/> lent.</summary>
    public void Release() => Volatile.Write(ref _read, _read + 1);
}
