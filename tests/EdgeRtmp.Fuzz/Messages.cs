using System.Buffers;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// One received message through every typed reader that either role (server session or client) applies to it,
/// so the chunk harness reaches the command models with the payloads the reader assembles.
/// </summary>
internal static class Messages
{
    public static void Read(MessageHeader header, ReadOnlySpan<byte> payload, RtmpLimits limits)
    {
        switch (header.Type)
        {
            case RtmpMessageType.CommandAmf0:
                Command(payload, limits);
                break;
            case RtmpMessageType.CommandAmf3:
                var converted = new ArrayBufferWriter<byte>(payload.Length + 16);
                Amf3Commands.ToAmf0(payload, converted, limits);
                Command(converted.WrittenSpan, limits);
                break;
            case RtmpMessageType.DataAmf0:
                Data(payload, limits);
                break;
            case RtmpMessageType.DataAmf3:
                Data(payload.IsEmpty ? payload : payload[1..], limits);
                break;
            case RtmpMessageType.Audio:
                Media(FlvTagType.Audio, payload);
                break;
            case RtmpMessageType.Video:
                Media(FlvTagType.Video, payload);
                break;
            case RtmpMessageType.Aggregate:
                var aggregate = new AggregateReader(header, payload);
                // Each record takes at least its 11 + 4 header bytes, so this ends with the payload.
                while (aggregate.TryReadNext(out MessageHeader inner, out ReadOnlySpan<byte> body))
                {
                    Read(inner, body, limits);
                }

                break;
            case RtmpMessageType.UserControl:
                UserControlEvent.Read(payload);
                break;
            case RtmpMessageType.SetPeerBandwidth:
                ProtocolControl.ReadSetPeerBandwidth(payload);
                break;
            case RtmpMessageType.Acknowledgement:
                ProtocolControl.ReadUInt32(payload, "Acknowledgement");
                break;
        }
    }

    /// <summary>What a server session and a client read of a command, in the order they read it.</summary>
    public static void Command(ReadOnlySpan<byte> payload, RtmpLimits limits)
    {
        CommandHeader header = CommandHeader.Read(payload, amf3Command: false, limits);
        switch (header.Kind)
        {
            case CommandKind.Connect:
                ConnectCommand.Read(payload, limits);
                break;
            case CommandKind.CreateStream:
                CreateStreamCommand.Read(payload, limits);
                break;
            case CommandKind.ReleaseStream or CommandKind.FCPublish or CommandKind.FCUnpublish:
                StreamNameCommand.Read(payload, limits);
                break;
            case CommandKind.Publish:
                PublishCommand.Read(payload, limits);
                break;
            case CommandKind.Play:
                PlayCommand.Read(payload, limits);
                break;
            case CommandKind.DeleteStream:
                DeleteStreamCommand.Read(payload, limits);
                break;
            case CommandKind.CloseStream:
                CloseStreamCommand.Read(payload, limits);
                break;
            case CommandKind.Pause:
                PauseCommand.Read(payload, limits);
                break;
            case CommandKind.ReceiveAudio or CommandKind.ReceiveVideo:
                ReceiveMediaCommand.Read(payload, limits);
                break;
            case CommandKind.Result or CommandKind.Error:
                CommandResult.Read(payload, limits);
                break;
            case CommandKind.OnStatus:
                OnStatusCommand.Read(payload, limits).Info.ToString();
                break;
            case CommandKind.SampleAccess:
                SampleAccessMessage.Read(payload, limits);
                break;
        }
    }

    public static void Data(ReadOnlySpan<byte> payload, RtmpLimits limits)
    {
        CommandHeader name = CommandHeader.ReadDataName(payload, amf3Data: false, limits);
        if (name.Kind is CommandKind.SetDataFrame or CommandKind.OnMetaData)
        {
            StreamMetadata.Read(payload, keepStrings: true, limits);
        }

        Media(FlvTagType.Script, payload);
    }

    /// <summary>What a publisher's media goes through on the server (classification, the slice it keeps) and in players.</summary>
    public static void Media(FlvTagType type, ReadOnlySpan<byte> payload)
    {
        if (FlvFrames.TryClassify(type, payload, out MediaKind _, out MediaFrameFlags _, out int skip))
        {
            _ = payload[skip..];
        }

        if (type == FlvTagType.Video && FlvPayload.TryReadVideoHeader(payload, out FlvVideoHeader video))
        {
            FlvPayload.IsVideoKeyframe(payload);
            FlvPayload.GetCompositionTime(payload);
            if (FlvPayload.IsVideoSequenceHeader(payload) && video.Codec == FlvVideoCodec.Avc)
            {
                H264Targets.ConfigurationRecord(payload[video.HeaderLength..]);
            }
        }
        else if (type == FlvTagType.Audio && FlvPayload.TryReadAudioHeader(payload, out FlvAudioHeader audio))
        {
            if (FlvPayload.IsAudioSequenceHeader(payload) && audio.Codec == FlvAudioCodec.Aac)
            {
                AacTargets.Config(payload[audio.HeaderLength..]);
            }
        }
    }
}
