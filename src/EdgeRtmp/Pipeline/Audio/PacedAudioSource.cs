using EdgeRtmp.Media;
using EdgeRtmp.Media.Aac;

namespace EdgeRtmp.Pipeline.Audio;

/// <summary>Samples made or read on demand (the tone, a WAV file): frame <c>n</c> of a run is whatever this gives for it.</summary>
public interface IPcmReader : IDisposable
{
    /// <summary>Fills <paramref name="interleaved"/> with the frames of this run starting at <paramref name="firstFrame"/>.</summary>
    void Read(Span<short> interleaved, long firstFrame);
}

/// <summary>
/// An audio source with no clock of its own (the test tone, a WAV file), paced in real time by the pipeline clock:
/// AAC frame <c>n</c> is due at <c>start + n × 1024 / rate</c> and stamped with that time, so it never drifts from
/// the video however late a timer fires (<see cref="FramePacer"/> waits for it); no allocation per frame. Further
/// behind than a second (a suspended machine), it skips ahead rather than bursting.
/// </summary>
public sealed class PacedAudioSource : IMediaSource
{
    private static readonly TimeSpan s_maxLag = TimeSpan.FromSeconds(1);

    private readonly Func<IPcmReader> _open;
    private readonly PipelineClock _clock;
    private readonly AacPcmPackager _packager;
    private readonly short[] _frame;

    /// <param name="open">Opens the samples for one run (the pipeline runs a source again after a failure).</param>
    /// <param name="pool">Where frames are rented; <see cref="MediaFramePool.Shared"/> by default.</param>
    public PacedAudioSource(string description, AacEncoderOptions encoder, Func<IPcmReader> open, PipelineClock clock, MediaFramePool? pool = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(clock);
        Description = description;
        _open = open;
        _clock = clock;
        _packager = new AacPcmPackager(encoder, pool);
        _frame = new short[AacEncoder.FrameSamples * encoder.Channels];
    }

    public string Description { get; }

    public AacEncoderOptions Encoder => _packager.Options;

    public long Frames => _packager.Frames;

    public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        using IPcmReader reader = _open();
        _packager.Restart();
        TimeSpan start = _clock.Elapsed;
        long index = 0;
        using var pacer = new FramePacer(_clock, FrameOffset(1));
        while (true)
        {
            TimeSpan due = start + FrameOffset(index);
            if (!await pacer.WaitUntilAsync(due, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (_clock.Elapsed - due > s_maxLag)
            {
                start = _clock.Elapsed - FrameOffset(index);
                due = start + FrameOffset(index);
            }

            ProduceFrame(reader, index, due, sink);
            index++;
        }
    }

    /// <summary>Reads, encodes and hands over one frame: the synchronous, allocation-free part of <see cref="RunAsync"/>.</summary>
    internal void ProduceFrame(IPcmReader reader, long frameIndex, TimeSpan presentation, IMediaSink sink)
    {
        reader.Read(_frame, frameIndex * AacEncoder.FrameSamples);
        _packager.Write(_frame, presentation, sink);
    }

    private TimeSpan FrameOffset(long frameIndex) =>
        TimeSpan.FromTicks(frameIndex * AacEncoder.FrameSamples * TimeSpan.TicksPerSecond / _packager.Options.SampleRate);
}
