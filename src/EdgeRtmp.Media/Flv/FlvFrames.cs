using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Media.Flv;

/// <summary>
/// What a tag body (FLV tag or RTMP audio/video/data message) is as a <see cref="MediaFrame"/>: the one
/// place that decides keyframes, sequence headers and metadata for the server, the file sources and the
/// publisher alike.
/// </summary>
public static class FlvFrames
{
    /// <summary>The FLV tag that carries a frame of <paramref name="kind"/> (E.4.1).</summary>
    public static FlvTagType TagTypeOf(MediaKind kind) => kind switch
    {
        MediaKind.Audio => FlvTagType.Audio,
        MediaKind.Video => FlvTagType.Video,
        MediaKind.Data => FlvTagType.Script,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a media kind"),
    };

    /// <summary>
    /// The kind and flags of a body of <paramref name="type"/>, from its first bytes (a few dozen are
    /// plenty). <paramref name="skip"/> is how many leading bytes to drop: <c>@setDataFrame</c> in front of
    /// <c>onMetaData</c>, which players must not see. False for what a stream does not carry on: empty
    /// bodies, <c>@clearDataFrame</c>, and the AVC end-of-sequence a file ends with (a loop goes on).
    /// </summary>
    public static bool TryClassify(FlvTagType type, ReadOnlySpan<byte> head, out MediaKind kind, out MediaFrameFlags flags, out int skip)
    {
        kind = default;
        flags = MediaFrameFlags.None;
        skip = 0;
        if (head.IsEmpty)
        {
            return false;
        }

        switch (type)
        {
            case FlvTagType.Video:
                kind = MediaKind.Video;
                if (FlvPayload.TryReadVideoHeader(head, out FlvVideoHeader header) && header.PacketType == FlvVideoPacketType.SequenceEnd)
                {
                    return false;
                }

                flags = FlvPayload.IsVideoSequenceHeader(head) ? MediaFrameFlags.SequenceHeader
                    : FlvPayload.IsVideoKeyframe(head) ? MediaFrameFlags.Keyframe : MediaFrameFlags.None;
                return true;
            case FlvTagType.Audio:
                kind = MediaKind.Audio;
                flags = FlvPayload.IsAudioSequenceHeader(head) ? MediaFrameFlags.SequenceHeader : MediaFrameFlags.None;
                return true;
            case FlvTagType.Script:
                kind = MediaKind.Data;
                CommandHeader name = CommandHeader.ReadDataName(head);
                if (name.Kind == CommandKind.ClearDataFrame)
                {
                    return false;
                }

                if (name.Kind == CommandKind.SetDataFrame)
                {
                    skip = name.Length;
                    name = CommandHeader.ReadDataName(head[skip..]);
                }

                flags = name.Kind == CommandKind.OnMetaData ? MediaFrameFlags.Metadata : MediaFrameFlags.None;
                return true;
            default:
                return false;
        }
    }
}
