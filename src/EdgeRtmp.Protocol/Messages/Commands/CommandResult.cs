using System.Buffers;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

/// <summary>The command object of a connect result: what the server says about itself.</summary>
public struct ServerProperties
{
    public string? FmsVer { get; set; }
    public double? Capabilities { get; set; }
    public double? Mode { get; set; }
}

/// <summary>
/// <c>_result</c> / <c>_error</c> (RTMP 1.0 section 7.2.1.1, 7.2.1.3): name, transaction id, command object
/// (properties, or null), then either an info object (connect) or a number (the stream id from createStream).
/// </summary>
public struct CommandResult
{
    public bool IsError { get; set; }
    public double TransactionId { get; set; }
    /// <summary>The command object; null when the peer sent AMF null.</summary>
    public ServerProperties? Properties { get; set; }
    /// <summary>The info object, when the last argument is an object.</summary>
    public StatusInfo? Information { get; set; }
    /// <summary>The number, when the last argument is one: the stream id of a createStream result.</summary>
    public double? Number { get; set; }

    public static CommandResult Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = new Amf0Reader(payload, limits);
        var start = reader.Position;
        var name = reader.ReadStringUtf8();
        var kind = CommandName.Classify(name);
        if (kind is not (CommandKind.Result or CommandKind.Error))
        {
            RtmpProtocolException.Throw($"Command at offset {start} is not '_result' or '_error'");
        }
        var result = new CommandResult { IsError = kind == CommandKind.Error, TransactionId = reader.ReadNumber() };
        if (CommandReading.TryOpenObject(ref reader))
        {
            var properties = new ServerProperties();
            while (reader.TryReadPropertyName(out var key))
            {
                switch (key.Length)
                {
                    case 4 when key.SequenceEqual("mode"u8): properties.Mode = CommandReading.ReadOptionalNumber(ref reader); break;
                    case 6 when key.SequenceEqual("fmsVer"u8): properties.FmsVer = CommandReading.ReadOptionalString(ref reader); break;
                    case 12 when key.SequenceEqual("capabilities"u8): properties.Capabilities = CommandReading.ReadOptionalNumber(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
            result.Properties = properties;
        }
        if (!reader.IsAtEnd)
        {
            switch (reader.PeekMarker())
            {
                case Amf0Marker.Number:
                    result.Number = reader.ReadNumber();
                    break;
                case Amf0Marker.Object:
                case Amf0Marker.EcmaArray:
                    reader.ReadObjectOrEcmaArrayStart();
                    result.Information = StatusInfo.ReadProperties(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return result;
    }

    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, IsError ? CommandName.Error : CommandName.Result, TransactionId);
        if (Properties is { } properties)
        {
            writer.WriteObjectStart();
            CommandReading.WriteOptionalString(ref writer, "fmsVer"u8, properties.FmsVer);
            CommandReading.WriteOptionalNumber(ref writer, "capabilities"u8, properties.Capabilities);
            CommandReading.WriteOptionalNumber(ref writer, "mode"u8, properties.Mode);
            writer.WriteObjectEnd();
        }
        else
        {
            writer.WriteNull();
        }
        if (Information is { } information)
        {
            information.Write(ref writer);
        }
        else if (Number is { } number)
        {
            writer.WriteNumber(number);
        }
        else
        {
            writer.WriteNull();
        }
    }

    /// <summary>The connect result nginx-rtmp and Flash Media Server send.</summary>
    public static CommandResult ConnectSuccess(double transactionId, double objectEncoding = 0) => new()
    {
        TransactionId = transactionId,
        Properties = new ServerProperties { FmsVer = "FMS/3,0,1,123", Capabilities = 31 },
        Information = new StatusInfo(StatusLevel.Status, StatusCode.ConnectSuccess, "Connection succeeded.") { ObjectEncoding = objectEncoding },
    };

    /// <summary>The result of createStream: null command object, then the new message stream id.</summary>
    public static CommandResult CreateStreamResult(double transactionId, double streamId) => new()
    {
        TransactionId = transactionId,
        Number = streamId,
    };
}
