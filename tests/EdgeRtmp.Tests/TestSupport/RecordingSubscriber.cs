using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;

namespace EdgeRtmp.Tests.TestSupport;

/// <summary>A hub subscriber that keeps a copy of every frame it is handed.</summary>
public sealed class RecordingSubscriber : IMediaSubscriber
{
    private readonly Lock _gate = new();
    private readonly List<Received> _frames = [];

    public readonly record struct Received(MediaKind Kind, MediaFrameFlags Flags, uint Timestamp, byte[] Payload, bool FromCache)
    {
        public bool IsMetadata => (Flags & MediaFrameFlags.Metadata) != 0;
    }

    public IReadOnlyList<Received> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    public void OnPublishStart(StreamHub hub)
    {
    }

    public void OnFrame(StreamHub hub, MediaFrame frame, bool fromCache)
    {
        lock (_gate)
        {
            _frames.Add(new Received(frame.Kind, frame.Flags, frame.Timestamp, frame.Span.ToArray(), fromCache));
        }
    }

    public void OnPublishStop(StreamHub hub)
    {
    }

    public void OnFlush(StreamHub hub)
    {
    }
}
