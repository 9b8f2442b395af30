using System.Text;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

/// <summary>
/// An info object (RTMP 1.0 section 7.2.1.1 and 7.2.2): level, code, description, plus what servers add —
/// details and clientid (onStatus), objectEncoding and data (connect _result). Other keys are skipped.
/// </summary>
public struct StatusInfo
{
    public string? Level { get; set; }
    public string? Code { get; set; }
    public string? Description { get; set; }
    /// <summary>The stream name, as Flash Media Server and FFmpeg put it in NetStream events.</summary>
    public string? Details { get; set; }
    public string? ClientId { get; set; }
    public double? ObjectEncoding { get; set; }
    /// <summary>The <c>data</c> property of a connect result (an ECMA array with the server version); cold path.</summary>
    public AmfValue? Data { get; set; }

    public StatusInfo(string level, string code, string? description = null)
    {
        Level = level;
        Code = code;
        Description = description;
    }

    internal static StatusInfo ReadProperties(ref Amf0Reader reader)
    {
        var info = new StatusInfo();
        while (reader.TryReadPropertyName(out var name))
        {
            switch (name.Length)
            {
                case 4 when name.SequenceEqual("code"u8): info.Code = CommandReading.ReadOptionalString(ref reader); break;
                case 4 when name.SequenceEqual("data"u8): info.Data = AmfValue.ReadAmf0(ref reader); break;
                case 5 when name.SequenceEqual("level"u8): info.Level = CommandReading.ReadOptionalString(ref reader); break;
                case 7 when name.SequenceEqual("details"u8): info.Details = CommandReading.ReadOptionalString(ref reader); break;
                case 8 when name.SequenceEqual("clientid"u8): info.ClientId = CommandReading.ReadOptionalString(ref reader); break;
                case 11 when name.SequenceEqual("description"u8): info.Description = CommandReading.ReadOptionalString(ref reader); break;
                case 14 when name.SequenceEqual("objectEncoding"u8): info.ObjectEncoding = CommandReading.ReadOptionalNumber(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return info;
    }

    /// <summary>Writes the info object (level, code, description first, as nginx-rtmp does). Allocates nothing.</summary>
    public readonly void Write(ref Amf0Writer writer)
    {
        writer.WriteObjectStart();
        CommandReading.WriteOptionalString(ref writer, "level"u8, Level);
        CommandReading.WriteOptionalString(ref writer, "code"u8, Code);
        CommandReading.WriteOptionalString(ref writer, "description"u8, Description);
        CommandReading.WriteOptionalString(ref writer, "details"u8, Details);
        CommandReading.WriteOptionalString(ref writer, "clientid"u8, ClientId);
        CommandReading.WriteOptionalNumber(ref writer, "objectEncoding"u8, ObjectEncoding);
        if (Data is { } data)
        {
            writer.WritePropertyName("data"u8);
            data.WriteAmf0(ref writer);
        }
        writer.WriteObjectEnd();
    }

    public override readonly string ToString()
    {
        var builder = new StringBuilder();
        builder.Append(Level).Append(' ').Append(Code);
        if (Description is not null)
        {
            builder.Append(": ").Append(Description);
        }
        return builder.ToString();
    }
}
