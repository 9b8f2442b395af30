using System.Buffers;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

// NetConnection and NetStream commands that carry little more than a name or a number
// (RTMP 1.0 sections 7.2.1.3, 7.2.2). Each is: name, transaction id, null command object, arguments.

/// <summary><c>createStream</c>: "createStream", transaction id, null.</summary>
public record struct CreateStreamCommand(double TransactionId)
{
    public static CreateStreamCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = CommandReading.Open(payload, CommandName.CreateStream, limits, out var transactionId);
        CommandReading.SkipOptional(ref reader);
        return new CreateStreamCommand(transactionId);
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, CommandName.CreateStream, TransactionId);
        writer.WriteNull();
    }
}

/// <summary><c>closeStream</c>: "closeStream", transaction id (0), null. Sent on the stream being closed.</summary>
public record struct CloseStreamCommand(double TransactionId)
{
    public static CloseStreamCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = CommandReading.Open(payload, CommandName.CloseStream, limits, out var transactionId);
        CommandReading.SkipOptional(ref reader);
        return new CloseStreamCommand(transactionId);
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, CommandName.CloseStream, TransactionId);
        writer.WriteNull();
    }
}

/// <summary><c>deleteStream</c>: "deleteStream", transaction id, null, stream id.</summary>
public record struct DeleteStreamCommand(double TransactionId, double StreamId)
{
    public static DeleteStreamCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = CommandReading.Open(payload, CommandName.DeleteStream, limits, out var transactionId);
        CommandReading.SkipOptional(ref reader);
        return new DeleteStreamCommand(transactionId, CommandReading.ReadOptionalNumber(ref reader) ?? 0);
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, CommandName.DeleteStream, TransactionId);
        writer.WriteNull();
        writer.WriteNumber(StreamId);
    }
}

public enum StreamNameCommandKind
{
    ReleaseStream,
    FCPublish,
    FCUnpublish,
}

/// <summary>
/// <c>releaseStream</c>, <c>FCPublish</c>, <c>FCUnpublish</c> (not in RTMP 1.0; sent by FFmpeg, OBS and Flash Media
/// Live Encoder before publishing): name, transaction id, null, stream name.
/// </summary>
public record struct StreamNameCommand(StreamNameCommandKind Kind, double TransactionId, string StreamName)
{
    public static StreamNameCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = new Amf0Reader(payload, limits);
        var start = reader.Position;
        var kind = CommandName.Classify(reader.ReadStringUtf8()) switch
        {
            CommandKind.ReleaseStream => StreamNameCommandKind.ReleaseStream,
            CommandKind.FCPublish => StreamNameCommandKind.FCPublish,
            CommandKind.FCUnpublish => StreamNameCommandKind.FCUnpublish,
            _ => ThrowNotStreamNameCommand(start),
        };
        var transactionId = reader.ReadNumber();
        CommandReading.SkipOptional(ref reader);
        return new StreamNameCommand(kind, transactionId, CommandReading.ReadOptionalString(ref reader) ?? string.Empty);
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        var name = Kind switch
        {
            StreamNameCommandKind.ReleaseStream => CommandName.ReleaseStream,
            StreamNameCommandKind.FCPublish => CommandName.FCPublish,
            _ => CommandName.FCUnpublish,
        };
        CommandReading.WriteHeader(ref writer, name, TransactionId);
        writer.WriteNull();
        writer.WriteString(StreamName);
    }

    private static StreamNameCommandKind ThrowNotStreamNameCommand(int offset)
    {
        RtmpProtocolException.Throw($"Command at offset {offset} is not releaseStream, FCPublish or FCUnpublish");
        return default;
    }
}

public enum PublishType
{
    Live,
    Record,
    Append,
    /// <summary>Flash Media Server's "appendWithGap"; treated as append.</summary>
    AppendWithGap,
}

/// <summary><c>publish</c> (RTMP 1.0 section 7.2.2.6): "publish", 0, null, publishing name, publishing type.</summary>
public record struct PublishCommand(double TransactionId, string StreamName, PublishType Type = PublishType.Live)
{
    public static PublishCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = CommandReading.Open(payload, CommandName.Publish, limits, out var transactionId);
        CommandReading.SkipOptional(ref reader);
        var name = CommandReading.ReadOptionalString(ref reader) ?? string.Empty;
        var type = PublishType.Live;
        if (!reader.IsAtEnd && reader.TryReadString(out var typeName))
        {
            type = typeName switch
            {
                _ when typeName.SequenceEqual("live"u8) => PublishType.Live,
                _ when typeName.SequenceEqual("record"u8) => PublishType.Record,
                _ when typeName.SequenceEqual("append"u8) => PublishType.Append,
                _ when typeName.SequenceEqual("appendWithGap"u8) => PublishType.AppendWithGap,
                _ => ThrowBadType(reader.Position - typeName.Length),
            };
        }
        return new PublishCommand(transactionId, name, type);
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, CommandName.Publish, TransactionId);
        writer.WriteNull();
        writer.WriteString(StreamName);
        writer.WriteString(Type switch
        {
            PublishType.Record => "record"u8,
            PublishType.Append => "append"u8,
            PublishType.AppendWithGap => "appendWithGap"u8,
            _ => "live"u8,
        });
    }

    private static PublishType ThrowBadType(int offset)
    {
        RtmpProtocolException.Throw($"publish type at offset {offset} is not live, record, append or appendWithGap");
        return default;
    }
}

/// <summary>
/// <c>play</c> (RTMP 1.0 section 7.2.2.1): "play", 0, null, stream name, start (-2 live then recorded, -1 live only,
/// >= 0 seconds into a recording), duration (-1 to the end), reset (flush previous playlist).
/// </summary>
public record struct PlayCommand(double TransactionId, string StreamName, double Start = -2, double Duration = -1, bool Reset = true)
{
    public static PlayCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = CommandReading.Open(payload, CommandName.Play, limits, out var transactionId);
        CommandReading.SkipOptional(ref reader);
        var name = CommandReading.ReadOptionalString(ref reader) ?? string.Empty;
        var start = CommandReading.ReadOptionalNumber(ref reader) ?? -2;
        var duration = CommandReading.ReadOptionalNumber(ref reader) ?? -1;
        var reset = CommandReading.ReadOptionalBoolean(ref reader) ?? true;
        return new PlayCommand(transactionId, name, start, duration, reset);
    }

    /// <summary>Writes all arguments; <paramref name="includeOptional"/> false writes only the name, as Flash Player's play(name) does.</summary>
    public readonly void Write(IBufferWriter<byte> output, bool includeOptional = true)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, CommandName.Play, TransactionId);
        writer.WriteNull();
        writer.WriteString(StreamName);
        if (includeOptional)
        {
            writer.WriteNumber(Start);
            writer.WriteNumber(Duration);
            writer.WriteBoolean(Reset);
        }
    }
}

/// <summary><c>pause</c> (RTMP 1.0 section 7.2.2.8): "pause", 0, null, pause (true) / unpause (false), milliseconds.</summary>
public record struct PauseCommand(double TransactionId, bool Pause, double Milliseconds)
{
    public static PauseCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = CommandReading.Open(payload, CommandName.Pause, limits, out var transactionId);
        CommandReading.SkipOptional(ref reader);
        var pause = CommandReading.ReadOptionalBoolean(ref reader) ?? true;
        var milliseconds = CommandReading.ReadOptionalNumber(ref reader) ?? 0;
        return new PauseCommand(transactionId, pause, milliseconds);
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, CommandName.Pause, TransactionId);
        writer.WriteNull();
        writer.WriteBoolean(Pause);
        writer.WriteNumber(Milliseconds);
    }
}

public enum ReceivedMedia
{
    Audio,
    Video,
}

/// <summary><c>receiveAudio</c> / <c>receiveVideo</c> (RTMP 1.0 sections 7.2.2.4-5): name, 0, null, bool.</summary>
public record struct ReceiveMediaCommand(ReceivedMedia Media, double TransactionId, bool Receive)
{
    public static ReceiveMediaCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = new Amf0Reader(payload, limits);
        var start = reader.Position;
        var media = CommandName.Classify(reader.ReadStringUtf8()) switch
        {
            CommandKind.ReceiveAudio => ReceivedMedia.Audio,
            CommandKind.ReceiveVideo => ReceivedMedia.Video,
            _ => ThrowNotReceive(start),
        };
        var transactionId = reader.ReadNumber();
        CommandReading.SkipOptional(ref reader);
        return new ReceiveMediaCommand(media, transactionId, CommandReading.ReadOptionalBoolean(ref reader) ?? true);
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, Media == ReceivedMedia.Audio ? CommandName.ReceiveAudio : CommandName.ReceiveVideo, TransactionId);
        writer.WriteNull();
        writer.WriteBoolean(Receive);
    }

    private static ReceivedMedia ThrowNotReceive(int offset)
    {
        RtmpProtocolException.Throw($"Command at offset {offset} is not receiveAudio or receiveVideo");
        return default;
    }
}

/// <summary><c>|RtmpSampleAccess</c> (data message, type 18): lets a Flash player read the audio and video bitmaps.</summary>
public record struct SampleAccessMessage(bool AudioAccess, bool VideoAccess)
{
    public static SampleAccessMessage Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = new Amf0Reader(payload, limits);
        CommandReading.ExpectName(ref reader, CommandName.SampleAccess);
        var audio = CommandReading.ReadOptionalBoolean(ref reader) ?? false;
        var video = CommandReading.ReadOptionalBoolean(ref reader) ?? false;
        return new SampleAccessMessage(audio, video);
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        writer.WriteString(CommandName.SampleAccess);
        writer.WriteBoolean(AudioAccess);
        writer.WriteBoolean(VideoAccess);
    }
}
