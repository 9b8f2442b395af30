using EdgeRtmp.Net.Client;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Net.Tests.TestSupport;

/// <summary>A player sink that counts media and notes the start of a stream, allocating nothing (allocation tests use it).</summary>
public sealed class CountingSink : IRtmpPlaySink
{
    private long _media;
    private long _video;
    private volatile bool _sawVideoSequenceHeader;
    private volatile bool _sawMetadata;

    /// <summary>Audio and video messages received.</summary>
    public long Media => Interlocked.Read(ref _media);

    public long Video => Interlocked.Read(ref _video);

    public bool SawVideoSequenceHeader => _sawVideoSequenceHeader;

    public bool SawMetadata => _sawMetadata;

    public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Type == RtmpMessageType.Video && payload.Length > 1 && payload[1] == 0)
        {
            _sawVideoSequenceHeader = true;
        }

        if (header.Type == RtmpMessageType.DataAmf0 && CommandHeader.ReadDataName(payload).Kind == CommandKind.OnMetaData)
        {
            _sawMetadata = true;
        }

        if (header.Type is RtmpMessageType.Audio or RtmpMessageType.Video)
        {
            Interlocked.Increment(ref _media);
        }

        if (header.Type == RtmpMessageType.Video)
        {
            Interlocked.Increment(ref _video);
        }
    }

    public void OnStatus(StatusInfo status)
    {
    }

    public void OnUserControl(UserControlEvent control)
    {
    }
}
