namespace EdgeRtmp.Media.Audio;

/// <summary>
/// Lip sync for a capture device: turns blocks of PCM read from a device with its own clock into frames of
/// <see cref="FrameSamples"/> whose presentation times come from the sample count, anchored to the pipeline's
/// monotonic clock, the same one video frames are stamped with.
/// <para>
/// A sound card's crystal is off by tens to hundreds of ppm: stamped by sample count alone, its audio drifts from the
/// video by 200 ppm × 1 day = 17 s. So each block's read time is compared with where the sample count puts it
/// (<see cref="Offset"/>, smoothed over about a second because reads wake late by scheduling jitter), and a
/// proportional controller drops single sample frames (device fast) or inserts them (device slow), at evenly spaced
/// places and at most <see cref="MaxCorrectionPpm"/>: a 200 ppm clock needs one change per 5000 samples, inaudible
/// where a jump of milliseconds would click. The correction rate that balances the drift is
/// <see cref="DriftPpm"/>, the device clock measured against ours.
/// </para>
/// <para>
/// Audio that falls behind by more than <see cref="StepThreshold"/> (an overrun lost samples, the device stalled)
/// moves the anchor forward: the stamps jump ahead with the lost time rather than run late for minutes. Audio too far
/// ahead drops whole sample frames until it is back. Stamps never go backwards. Time is passed in, never read:
/// tests run days of simulated capture in a second. Nothing is allocated once the first block has been seen.
/// </para>
/// </summary>
public sealed class AudioTimeline
{
    /// <summary>The largest correction: 2000 ppm, two sample frames per 1024 (far beyond any working crystal).</summary>
    public const double MaxCorrectionPpm = 2000;

    /// <summary>How far the sample count may stray from the clock before the timeline steps instead of slewing.</summary>
    public static readonly TimeSpan StepThreshold = TimeSpan.FromMilliseconds(100);

    /// <summary>Time constant of the read-time jitter filter.</summary>
    private const double FilterSeconds = 1.0;

    /// <summary>Time constant of the correction: a steady offset is removed in about this long (200 ppm leaves 0.8 ms).</summary>
    private const double CorrectionSeconds = 4.0;

    /// <summary>How fast the offset envelope sinks, in seconds per second: 2 ms/s, ten times a 200 ppm drift.</summary>
    private const double EnvelopeDecay = 0.002;

    /// <summary>Time constant of the <see cref="DriftPpm"/> average.</summary>
    private const double DriftSeconds = 30.0;

    private readonly int _channels;
    private short[] _pending;
    private int _pendingFrames;
    private bool _anchored;
    private TimeSpan _anchor;
    private long _framesOut;
    private long _framesToDrop;
    private double _filteredOffsetSeconds;
    private double _correctionCarry;
    private double _driftPpm;
    private double _envelopeSeconds;
    private TimeSpan _newAnchor;
    private long _newAnchorAtFrame = -1;
    private TimeSpan _minimumAnchor;

    public AudioTimeline(int sampleRate, int channels, int frameSamples = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1000);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSamples, 16);
        SampleRate = sampleRate;
        _channels = channels;
        FrameSamples = frameSamples;
        _pending = new short[frameSamples * 4 * channels];
    }

    public int SampleRate { get; }

    public int Channels => _channels;

    /// <summary>Sample frames per output frame (1024 for AAC).</summary>
    public int FrameSamples { get; }

    /// <summary>Sample frames inserted so far to slow the device's clock down to ours.</summary>
    public long InsertedSamples { get; private set; }

    /// <summary>Sample frames dropped so far to keep up with a fast device clock (steps included).</summary>
    public long DroppedSamples { get; private set; }

    /// <summary>Times the timeline stepped (an overrun, a stall, a burst) instead of slewing.</summary>
    public int Steps { get; private set; }

    /// <summary>How the device clock runs against ours, in ppm (positive: fast), averaged over about 30 s of corrections.</summary>
    public double DriftPpm => _driftPpm;

    /// <summary>Where the sample count puts the audio against the clock (positive: ahead), smoothed.</summary>
    public TimeSpan Offset => TimeSpan.FromSeconds(_filteredOffsetSeconds);

    /// <summary>Starts over: the next block anchors the timeline again (a restarted device). Stamps may then restart lower.</summary>
    public void Reset(TimeSpan notBefore = default)
    {
        _anchored = false;
        _pendingFrames = 0;
        _framesOut = 0;
        _framesToDrop = 0;
        _filteredOffsetSeconds = 0;
        _envelopeSeconds = 0;
        _newAnchorAtFrame = -1;
        _correctionCarry = 0;
        _minimumAnchor = notBefore;
    }

    /// <summary>
    /// Adds a block of interleaved samples that the device delivered at <paramref name="readAt"/> (pipeline clock
    /// time when the read returned: the block's last sample was captured just before).
    /// </summary>
    public void Append(ReadOnlySpan<short> interleaved, TimeSpan readAt)
    {
        if (interleaved.Length % _channels != 0)
        {
            throw new ArgumentException($"the block must hold whole frames of {_channels} samples", nameof(interleaved));
        }

        int frames = interleaved.Length / _channels;
        if (frames == 0)
        {
            return;
        }

        if (!_anchored)
        {
            _anchored = true;
            _anchor = readAt - Duration(frames);
            if (_anchor < _minimumAnchor)
            {
                _anchor = _minimumAnchor;
            }
        }

        // Where the sample count puts the end of this block, against when it arrived.
        double offset = (TimelineAnchor + Duration(_framesOut + _pendingFrames + frames - _framesToDrop) - readAt).TotalSeconds;
        if (offset < -StepThreshold.TotalSeconds)
        {
            // Behind: samples were lost. Finish the frame in progress with silence, so the samples before the gap keep
            // their stamps, and move the anchor forward so the samples after it are stamped with the clock again.
            int pad = (FrameSamples - (_pendingFrames % FrameSamples)) % FrameSamples;
            EnsureCapacity(pad + frames);
            _pending.AsSpan(_pendingFrames * _channels, pad * _channels).Clear();
            _pendingFrames += pad;
            InsertedSamples += pad;
            // The frames already buffered keep the old anchor; the new one takes effect after them.
            _newAnchor = TimelineAnchor + TimeSpan.FromSeconds(-offset) - Duration(pad);
            _newAnchorAtFrame = _framesOut + _pendingFrames;
            Restep();
            offset = 0;
        }
        else if (offset > StepThreshold.TotalSeconds)
        {
            // Ahead: more samples came than time passed (a burst). Drop the surplus instead of stamping it into the future.
            _framesToDrop += (long)Math.Round(offset * SampleRate);
            Restep();
            offset = 0;
        }

        // Reads wake late, never early: the offset's upper envelope is the read with the least delay, the truth.
        // It follows a rise at once and sinks at EnvelopeDecay (faster than any drift), so a late read does not count.
        double blockSeconds = (double)frames / SampleRate;
        _envelopeSeconds = Math.Max(offset, _envelopeSeconds - (EnvelopeDecay * blockSeconds));
        _filteredOffsetSeconds += (_envelopeSeconds - _filteredOffsetSeconds) * Math.Min(1, blockSeconds / FilterSeconds);

        // Proportional slew: drop when ahead (the device is fast), insert when behind.
        double correction = Math.Clamp(_filteredOffsetSeconds / CorrectionSeconds, -MaxCorrectionPpm * 1e-6, MaxCorrectionPpm * 1e-6);
        _driftPpm += ((correction * 1e6) - _driftPpm) * Math.Min(1, blockSeconds / DriftSeconds);
        _correctionCarry += correction * frames;
        int change = (int)_correctionCarry;
        _correctionCarry -= change;

        EnsureCapacity(frames + Math.Abs(change));
        int skip = (int)Math.Min(_framesToDrop, frames);
        _framesToDrop -= skip;
        DroppedSamples += skip;
        ReadOnlySpan<short> kept = interleaved.Slice(skip * _channels);
        int applied = CopyCorrected(kept, change);

        // A block too short to spread the change over keeps the rest for the next one.
        _correctionCarry += change - applied;
    }

    /// <summary>
    /// Takes the next whole frame (<see cref="FrameSamples"/> × <see cref="Channels"/> samples) and its presentation
    /// time: the anchor plus the sample count before it. False when less than a frame is buffered.
    /// </summary>
    public bool TryReadFrame(Span<short> frame, out TimeSpan presentationTime)
    {
        int samples = FrameSamples * _channels;
        if (frame.Length < samples)
        {
            throw new ArgumentException($"the frame buffer must hold {samples} samples", nameof(frame));
        }

        if (_pendingFrames < FrameSamples)
        {
            presentationTime = default;
            return false;
        }

        if (_newAnchorAtFrame >= 0 && _framesOut >= _newAnchorAtFrame)
        {
            _anchor = _newAnchor;
            _newAnchorAtFrame = -1;
        }

        _pending.AsSpan(0, samples).CopyTo(frame);
        _pending.AsSpan(samples, (_pendingFrames - FrameSamples) * _channels).CopyTo(_pending);
        _pendingFrames -= FrameSamples;
        presentationTime = _anchor + Duration(_framesOut);
        _framesOut += FrameSamples;
        return true;
    }

    /// <summary>
    /// Appends <paramref name="block"/> with |<paramref name="change"/>| sample frames dropped (positive) or inserted
    /// (negative), each at an even spacing through the block. An inserted frame is the mean of its neighbours; a dropped
    /// one leaves its neighbours adjacent: a one-sample phase step, not an audible jump.
    /// </summary>
    private int CopyCorrected(ReadOnlySpan<short> block, int change)
    {
        int frames = block.Length / _channels;
        int count = Math.Min(Math.Abs(change), frames / 2);
        Span<short> destination = _pending.AsSpan(_pendingFrames * _channels);
        int source = 0, written = 0;
        for (int k = 1; k <= count; k++)
        {
            int at = (int)((long)frames * k / (count + 1));
            int run = at - source;
            block.Slice(source * _channels, run * _channels).CopyTo(destination.Slice(written * _channels));
            written += run;
            source = at;
            if (change > 0)
            {
                source++;
                DroppedSamples++;
            }
            else
            {
                for (int c = 0; c < _channels; c++)
                {
                    int before = block[((at - 1) * _channels) + c];
                    int after = block[(at * _channels) + c];
                    destination[(written * _channels) + c] = (short)((before + after) / 2);
                }

                written++;
                InsertedSamples++;
            }
        }

        block.Slice(source * _channels).CopyTo(destination.Slice(written * _channels));
        written += frames - source;
        _pendingFrames += written;
        return change > 0 ? count : -count;
    }

    /// <summary>The anchor of the samples arriving now: after a step, the new one, while frames before it still wait.</summary>
    private TimeSpan TimelineAnchor => _newAnchorAtFrame >= 0 ? _newAnchor : _anchor;

    private void Restep()
    {
        _filteredOffsetSeconds = 0;
        _envelopeSeconds = 0;
        Steps++;
    }

    private void EnsureCapacity(int incomingFrames)
    {
        int needed = (_pendingFrames + incomingFrames) * _channels;
        if (needed > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(needed, _pending.Length * 2));
        }
    }

    private TimeSpan Duration(long frames) => TimeSpan.FromTicks(frames * TimeSpan.TicksPerSecond / SampleRate);
}
