using System.Buffers;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

public enum StatusCommandKind
{
    OnStatus,
    OnFCPublish,
    OnFCUnpublish,
}

/// <summary>
/// <c>onStatus</c> (RTMP 1.0 section 7.2.2), and <c>onFCPublish</c> / <c>onFCUnpublish</c> which have the same shape:
/// name, transaction id (0), null, info object.
/// </summary>
public struct OnStatusCommand
{
    public StatusCommandKind Kind { get; set; }
    public double TransactionId { get; set; }
    public StatusInfo Info { get; set; }

    public OnStatusCommand(StatusInfo info, StatusCommandKind kind = StatusCommandKind.OnStatus)
    {
        Info = info;
        Kind = kind;
    }

    public static OnStatusCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = new Amf0Reader(payload, limits);
        var start = reader.Position;
        var kind = CommandName.Classify(reader.ReadStringUtf8()) switch
        {
            CommandKind.OnStatus => StatusCommandKind.OnStatus,
            CommandKind.OnFCPublish => StatusCommandKind.OnFCPublish,
            CommandKind.OnFCUnpublish => StatusCommandKind.OnFCUnpublish,
            _ => ThrowNotStatus(start),
        };
        var command = new OnStatusCommand { Kind = kind, TransactionId = reader.ReadNumber() };
        CommandReading.SkipOptional(ref reader);
        if (!reader.IsAtEnd && reader.PeekMarker() is Amf0Marker.Object or Amf0Marker.EcmaArray)
        {
            reader.ReadObjectOrEcmaArrayStart();
            command.Info = StatusInfo.ReadProperties(ref reader);
        }
        return command;
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, NameOf(Kind), TransactionId);
        writer.WriteNull();
        Info.Write(ref writer);
    }

    /// <summary>
    /// Writes an onStatus from UTF-8 literals without building a model: the server's hot status path
    /// (<c>"NetStream.Play.Start"u8</c>…). Empty <paramref name="details"/> is left out.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> level, ReadOnlySpan<byte> code,
        ReadOnlySpan<byte> description, ReadOnlySpan<byte> details = default, StatusCommandKind kind = StatusCommandKind.OnStatus)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, NameOf(kind), 0);
        writer.WriteNull();
        writer.WriteObjectStart();
        writer.WriteProperty("level"u8, level);
        writer.WriteProperty("code"u8, code);
        writer.WriteProperty("description"u8, description);
        if (!details.IsEmpty)
        {
            writer.WriteProperty("details"u8, details);
        }
        writer.WriteObjectEnd();
    }

    private static ReadOnlySpan<byte> NameOf(StatusCommandKind kind) => kind switch
    {
        StatusCommandKind.OnFCPublish => CommandName.OnFCPublish,
        StatusCommandKind.OnFCUnpublish => CommandName.OnFCUnpublish,
        _ => CommandName.OnStatus,
    };

    private static StatusCommandKind ThrowNotStatus(int offset)
    {
        RtmpProtocolException.Throw($"Command at offset {offset} is not onStatus, onFCPublish or onFCUnpublish");
        return default;
    }
}
