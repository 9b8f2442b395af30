using System.Buffers;
using System.Text;
using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

/// <summary>
/// <c>connect</c> (RTMP 1.0 section 7.2.1.1; Enhanced RTMP adds <c>fourCcList</c>):
/// "connect", transaction id (1), command object, optional user arguments.
/// Read once per connection, so the model uses strings and keeps what it does not model as <see cref="AmfValue"/>s.
/// </summary>
public struct ConnectCommand
{
    public double TransactionId { get; set; }
    public string? App { get; set; }
    public string? FlashVer { get; set; }
    public string? SwfUrl { get; set; }
    public string? TcUrl { get; set; }
    /// <summary>"nonprivate" from FFmpeg and OBS; absent from Flash Player.</summary>
    public string? Type { get; set; }
    public bool? Fpad { get; set; }
    public double? Capabilities { get; set; }
    public double? AudioCodecs { get; set; }
    public double? VideoCodecs { get; set; }
    public double? VideoFunction { get; set; }
    public string? PageUrl { get; set; }
    /// <summary>0 for AMF0, 3 for AMF3.</summary>
    public double? ObjectEncoding { get; set; }
    /// <summary>Enhanced RTMP: FourCCs the client supports ("av01", "vp09", "hvc1", "*"…).</summary>
    public string[]? FourCcList { get; set; }
    /// <summary>Command object properties we do not model, in wire order (written back after the modelled ones).</summary>
    public List<KeyValuePair<string, AmfValue>>? OtherProperties { get; set; }
    /// <summary>Optional user arguments after the command object.</summary>
    public List<AmfValue>? Arguments { get; set; }

    public static ConnectCommand Read(ReadOnlySpan<byte> payload, RtmpLimits? limits = null)
    {
        var reader = CommandReading.Open(payload, CommandName.Connect, limits, out var transactionId);
        var command = new ConnectCommand { TransactionId = transactionId };
        if (CommandReading.TryOpenObject(ref reader))
        {
            while (reader.TryReadPropertyName(out var name))
            {
                command.ReadProperty(ref reader, name);
            }
        }
        while (!reader.IsAtEnd)
        {
            (command.Arguments ??= []).Add(AmfValue.ReadAmf0(ref reader));
        }
        return command;
    }

    private void ReadProperty(ref Amf0Reader reader, ReadOnlySpan<byte> name)
    {
        switch (name.Length)
        {
            case 3 when name.SequenceEqual("app"u8): App = CommandReading.ReadOptionalString(ref reader); return;
            case 4 when name.SequenceEqual("type"u8): Type = CommandReading.ReadOptionalString(ref reader); return;
            case 4 when name.SequenceEqual("fpad"u8): Fpad = CommandReading.ReadOptionalBoolean(ref reader); return;
            case 5 when name.SequenceEqual("tcUrl"u8): TcUrl = CommandReading.ReadOptionalString(ref reader); return;
            case 6 when name.SequenceEqual("swfUrl"u8): SwfUrl = CommandReading.ReadOptionalString(ref reader); return;
            case 7 when name.SequenceEqual("pageUrl"u8): PageUrl = CommandReading.ReadOptionalString(ref reader); return;
            case 8 when name.SequenceEqual("flashVer"u8): FlashVer = CommandReading.ReadOptionalString(ref reader); return;
            case 10 when name.SequenceEqual("fourCcList"u8): FourCcList = ReadFourCcList(ref reader); return;
            case 11 when name.SequenceEqual("audioCodecs"u8): AudioCodecs = CommandReading.ReadOptionalNumber(ref reader); return;
            case 11 when name.SequenceEqual("videoCodecs"u8): VideoCodecs = CommandReading.ReadOptionalNumber(ref reader); return;
            case 12 when name.SequenceEqual("capabilities"u8): Capabilities = CommandReading.ReadOptionalNumber(ref reader); return;
            case 13 when name.SequenceEqual("videoFunction"u8): VideoFunction = CommandReading.ReadOptionalNumber(ref reader); return;
            case 14 when name.SequenceEqual("objectEncoding"u8): ObjectEncoding = CommandReading.ReadOptionalNumber(ref reader); return;
            default:
                var key = Encoding.UTF8.GetString(name);
                (OtherProperties ??= []).Add(new(key, AmfValue.ReadAmf0(ref reader)));
                return;
        }
    }

    private static string[]? ReadFourCcList(ref Amf0Reader reader)
    {
        if (reader.PeekMarker() != Amf0Marker.StrictArray)
        {
            reader.Skip();
            return null;
        }
        var count = reader.ReadStrictArrayStart();
        var list = new List<string>((int)count);
        for (var i = 0; i < count; i++)
        {
            if (CommandReading.ReadOptionalString(ref reader) is { } fourCc)
            {
                list.Add(fourCc);
            }
        }
        return [.. list];
    }

    /// <summary>Writes the command in FFmpeg's property order, skipping properties that are null.</summary>
    public readonly void Write(IBufferWriter<byte> output)
    {
        var writer = new Amf0Writer(output);
        CommandReading.WriteHeader(ref writer, CommandName.Connect, TransactionId);
        writer.WriteObjectStart();
        CommandReading.WriteOptionalString(ref writer, "app"u8, App);
        CommandReading.WriteOptionalString(ref writer, "type"u8, Type);
        CommandReading.WriteOptionalString(ref writer, "flashVer"u8, FlashVer);
        CommandReading.WriteOptionalString(ref writer, "swfUrl"u8, SwfUrl);
        CommandReading.WriteOptionalString(ref writer, "tcUrl"u8, TcUrl);
        CommandReading.WriteOptionalBoolean(ref writer, "fpad"u8, Fpad);
        CommandReading.WriteOptionalNumber(ref writer, "capabilities"u8, Capabilities);
        CommandReading.WriteOptionalNumber(ref writer, "audioCodecs"u8, AudioCodecs);
        CommandReading.WriteOptionalNumber(ref writer, "videoCodecs"u8, VideoCodecs);
        CommandReading.WriteOptionalNumber(ref writer, "videoFunction"u8, VideoFunction);
        CommandReading.WriteOptionalString(ref writer, "pageUrl"u8, PageUrl);
        CommandReading.WriteOptionalNumber(ref writer, "objectEncoding"u8, ObjectEncoding);
        if (FourCcList is { } fourCcs)
        {
            writer.WritePropertyName("fourCcList"u8);
            writer.WriteStrictArrayStart((uint)fourCcs.Length);
            foreach (var fourCc in fourCcs)
            {
                writer.WriteString(fourCc);
            }
        }
        if (OtherProperties is { } others)
        {
            foreach (var (key, value) in others)
            {
                writer.WritePropertyName(key);
                value.WriteAmf0(ref writer);
            }
        }
        writer.WriteObjectEnd();
        if (Arguments is { } arguments)
        {
            foreach (var argument in arguments)
            {
                argument.WriteAmf0(ref writer);
            }
        }
    }
}
