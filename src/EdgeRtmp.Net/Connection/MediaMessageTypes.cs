using EdgeRtmp.Media;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Net.Connection;

/// <summary>Which RTMP message carries which <see cref="MediaKind"/> (spec 7.1.4 audio, 7.1.5 video, 7.1.2 data).</summary>
public static class MediaMessageTypes
{
    public static RtmpMessageType Of(MediaKind kind) => kind switch
    {
        MediaKind.Audio => RtmpMessageType.Audio,
        MediaKind.Video => RtmpMessageType.Video,
        MediaKind.Data => RtmpMessageType.DataAmf0,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a media kind"),
    };

    /// <summary>The kind an audio, video or AMF0 data message carries; false for any other message.</summary>
    public static bool TryGetKind(RtmpMessageType type, out MediaKind kind)
    {
        switch (type)
        {
            case RtmpMessageType.Audio:
                kind = MediaKind.Audio;
                return true;
            case RtmpMessageType.Video:
                kind = MediaKind.Video;
                return true;
            case RtmpMessageType.DataAmf0:
                kind = MediaKind.Data;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
