using EdgeRtmp.Media;

namespace EdgeRtmp.Tests.Pipeline.Audio;

/// <summary>Keeps a copy of what an audio source hands over and completes a task when enough audio frames came: tests wait for events.</summary>
public sealed class AudioSink : IMediaSink
{
    private readonly Lock _gate = new();
    private readonly List<Recorded> _frames = [];
    private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _wanted;
    private int _audioFrames;

    public AudioSink(EdgeRtmp.Pipeline.PipelineClock clock, int wantedAudioFrames)
    {
        Clock = clock;
        _wanted = wantedAudioFrames;
    }

    public readonly record struct Recorded(MediaKind Kind, MediaFrameFlags Flags, uint Timestamp, byte[] Payload, TimeSpan Arrival);

    public EdgeRtmp.Pipeline.PipelineClock Clock { get; }

    /// <summary>Completes once the wanted number of raw audio frames (not headers) has arrived.</summary>
    public Task Enough => _enough.Task;

    public IReadOnlyList<Recorded> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    public IReadOnlyList<Recorded> AudioFrames => Frames.Where(f => f.Kind == MediaKind.Audio && f.Flags == MediaFrameFlags.None).ToList();

    public void Write(ReadOnlySpan<MediaFrame> frames)
    {
        lock (_gate)
        {
            foreach (MediaFrame frame in frames)
            {
                _frames.Add(new Recorded(frame.Kind, frame.Flags, frame.Timestamp, frame.Span.ToArray(), Clock.Elapsed));
                if (frame.Kind == MediaKind.Audio && frame.Flags == MediaFrameFlags.None && ++_audioFrames >= _wanted)
                {
                    _enough.TrySetResult();
                }
            }
        }
    }
}
