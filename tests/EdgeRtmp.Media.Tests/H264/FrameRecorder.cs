using EdgeRtmp.Media;

namespace EdgeRtmp.Media.Tests.H264;

/// <summary>Keeps a copy of each frame handed over, with the number of the <see cref="IMediaSink.Write"/> that brought it.</summary>
internal sealed class FrameRecorder : IMediaSink
{
    private readonly List<Recorded> _frames = [];
    private int _batches;

    public readonly record struct Recorded(MediaKind Kind, MediaFrameFlags Flags, uint Timestamp, byte[] Payload, int Batch);

    public IReadOnlyList<Recorded> Frames => _frames;

    public void Write(ReadOnlySpan<MediaFrame> frames)
    {
        foreach (MediaFrame frame in frames)
        {
            _frames.Add(new Recorded(frame.Kind, frame.Flags, frame.Timestamp, frame.Span.ToArray(), _batches));
        }

        _batches++;
    }
}
