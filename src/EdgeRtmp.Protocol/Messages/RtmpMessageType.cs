namespace EdgeRtmp.Protocol.Messages;

/// <summary>Message type ids (RTMP 1.0 §5.4 protocol control, §6.2 user control, §7.1 RTMP messages).</summary>
public enum RtmpMessageType : byte
{
    SetChunkSize = 1,
    Abort = 2,
    Acknowledgement = 3,
    UserControl = 4,
    WindowAcknowledgementSize = 5,
    SetPeerBandwidth = 6,
    Audio = 8,
    Video = 9,
    DataAmf3 = 15,
    SharedObjectAmf3 = 16,
    CommandAmf3 = 17,
    DataAmf0 = 18,
    SharedObjectAmf0 = 19,
    CommandAmf0 = 20,
    Aggregate = 22,
}

/// <summary>
/// The chunk stream ids we send on. 2 is reserved for protocol control by the spec (§5.4); the
/// others follow FFmpeg's choices so captures of our traffic look familiar.
/// </summary>
public static class ChunkStreamIds
{
    public const int ProtocolControl = 2;
    public const int Command = 3;
    public const int Audio = 4;
    public const int Data = 5;
    public const int Video = 6;
}
