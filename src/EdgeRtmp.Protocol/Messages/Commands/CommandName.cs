using EdgeRtmp.Protocol.Amf;

namespace EdgeRtmp.Protocol.Messages.Commands;

/// <summary>What a command or data message is, from its name: a session switches on this.</summary>
public enum CommandKind
{
    Unknown,
    Connect,
    Result,
    Error,
    CreateStream,
    ReleaseStream,
    FCPublish,
    FCUnpublish,
    Publish,
    Play,
    Play2,
    DeleteStream,
    CloseStream,
    Pause,
    ReceiveAudio,
    ReceiveVideo,
    Seek,
    OnStatus,
    OnFCPublish,
    OnFCUnpublish,
    OnBWDone,
    CheckBandwidth,
    GetStreamLength,
    SampleAccess,
    SetDataFrame,
    ClearDataFrame,
    OnMetaData,
}

/// <summary>Command and data message names as UTF-8, and their classification without allocating.</summary>
public static class CommandName
{
    public static ReadOnlySpan<byte> Connect => "connect"u8;
    public static ReadOnlySpan<byte> Result => "_result"u8;
    public static ReadOnlySpan<byte> Error => "_error"u8;
    public static ReadOnlySpan<byte> CreateStream => "createStream"u8;
    public static ReadOnlySpan<byte> ReleaseStream => "releaseStream"u8;
    public static ReadOnlySpan<byte> FCPublish => "FCPublish"u8;
    public static ReadOnlySpan<byte> FCUnpublish => "FCUnpublish"u8;
    public static ReadOnlySpan<byte> Publish => "publish"u8;
    public static ReadOnlySpan<byte> Play => "play"u8;
    public static ReadOnlySpan<byte> Play2 => "play2"u8;
    public static ReadOnlySpan<byte> DeleteStream => "deleteStream"u8;
    public static ReadOnlySpan<byte> CloseStream => "closeStream"u8;
    public static ReadOnlySpan<byte> Pause => "pause"u8;
    public static ReadOnlySpan<byte> ReceiveAudio => "receiveAudio"u8;
    public static ReadOnlySpan<byte> ReceiveVideo => "receiveVideo"u8;
    public static ReadOnlySpan<byte> Seek => "seek"u8;
    public static ReadOnlySpan<byte> OnStatus => "onStatus"u8;
    public static ReadOnlySpan<byte> OnFCPublish => "onFCPublish"u8;
    public static ReadOnlySpan<byte> OnFCUnpublish => "onFCUnpublish"u8;
    public static ReadOnlySpan<byte> OnBWDone => "onBWDone"u8;
    public static ReadOnlySpan<byte> CheckBandwidth => "_checkbw"u8;
    public static ReadOnlySpan<byte> GetStreamLength => "getStreamLength"u8;
    public static ReadOnlySpan<byte> SampleAccess => "|RtmpSampleAccess"u8;
    public static ReadOnlySpan<byte> SetDataFrame => "@setDataFrame"u8;
    public static ReadOnlySpan<byte> ClearDataFrame => "@clearDataFrame"u8;
    public static ReadOnlySpan<byte> OnMetaData => "onMetaData"u8;

    /// <summary>Classifies a name (case-sensitive, as Flash Media Server does). Unknown names are not an error.</summary>
    public static CommandKind Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual(Play) => CommandKind.Play,
        4 when name.SequenceEqual(Seek) => CommandKind.Seek,
        5 when name.SequenceEqual(Pause) => CommandKind.Pause,
        5 when name.SequenceEqual(Play2) => CommandKind.Play2,
        6 when name.SequenceEqual(Error) => CommandKind.Error,
        7 when name.SequenceEqual(Connect) => CommandKind.Connect,
        7 when name.SequenceEqual(Result) => CommandKind.Result,
        7 when name.SequenceEqual(Publish) => CommandKind.Publish,
        8 when name.SequenceEqual(OnStatus) => CommandKind.OnStatus,
        8 when name.SequenceEqual(OnBWDone) => CommandKind.OnBWDone,
        8 when name.SequenceEqual(CheckBandwidth) => CommandKind.CheckBandwidth,
        9 when name.SequenceEqual(FCPublish) => CommandKind.FCPublish,
        10 when name.SequenceEqual(OnMetaData) => CommandKind.OnMetaData,
        11 when name.SequenceEqual(FCUnpublish) => CommandKind.FCUnpublish,
        11 when name.SequenceEqual(CloseStream) => CommandKind.CloseStream,
        11 when name.SequenceEqual(OnFCPublish) => CommandKind.OnFCPublish,
        12 when name.SequenceEqual(CreateStream) => CommandKind.CreateStream,
        12 when name.SequenceEqual(DeleteStream) => CommandKind.DeleteStream,
        12 when name.SequenceEqual(ReceiveAudio) => CommandKind.ReceiveAudio,
        12 when name.SequenceEqual(ReceiveVideo) => CommandKind.ReceiveVideo,
        13 when name.SequenceEqual(ReleaseStream) => CommandKind.ReleaseStream,
        13 when name.SequenceEqual(OnFCUnpublish) => CommandKind.OnFCUnpublish,
        13 when name.SequenceEqual(SetDataFrame) => CommandKind.SetDataFrame,
        15 when name.SequenceEqual(GetStreamLength) => CommandKind.GetStreamLength,
        15 when name.SequenceEqual(ClearDataFrame) => CommandKind.ClearDataFrame,
        17 when name.SequenceEqual(SampleAccess) => CommandKind.SampleAccess,
        _ => CommandKind.Unknown,
    };
}

/// <summary>
/// The name and transaction id at the head of a command message, read without allocating so that a session can
/// dispatch on <see cref="Kind"/> and hand the payload to the matching typed command's <c>Read</c>.
/// </summary>
public readonly ref struct CommandHeader
{
    private CommandHeader(ReadOnlySpan<byte> name, double transactionId, int length)
    {
        Name = name;
        TransactionId = transactionId;
        Length = length;
    }

    /// <summary>The command name as UTF-8, pointing into the payload.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The transaction id; 0 for data messages (type 18), which have none.</summary>
    public double TransactionId { get; }

    /// <summary>Bytes of the payload the header took, including an AMF3 command's leading format byte.</summary>
    public int Length { get; }

    public CommandKind Kind => CommandName.Classify(Name);

    /// <summary>
    /// Reads the name and transaction id of a command message: type 20 (AMF0) or, with <paramref name="amf3Command"/>,
    /// type 17, whose payload starts with one format byte (0x00) before AMF0 values that may switch to AMF3.
    /// </summary>
    public static CommandHeader Read(ReadOnlySpan<byte> payload, bool amf3Command = false, RtmpLimits? limits = null)
    {
        var skip = amf3Command ? Amf3Commands.SkipFormatByte(payload) : 0;
        var reader = new Amf0Reader(payload.Slice(skip), limits);
        var name = reader.ReadStringUtf8();
        var transactionId = reader.ReadNumber();
        return new CommandHeader(name, transactionId, skip + reader.Position);
    }

    /// <summary>Reads the name of a data message (type 18, or 15 with <paramref name="amf3Data"/>), which has no transaction id.</summary>
    public static CommandHeader ReadDataName(ReadOnlySpan<byte> payload, bool amf3Data = false, RtmpLimits? limits = null)
    {
        var skip = amf3Data ? Amf3Commands.SkipFormatByte(payload) : 0;
        var reader = new Amf0Reader(payload.Slice(skip), limits);
        var name = reader.ReadStringUtf8();
        return new CommandHeader(name, 0, skip + reader.Position);
    }
}
