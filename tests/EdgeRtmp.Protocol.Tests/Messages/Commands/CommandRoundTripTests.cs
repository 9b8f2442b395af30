using System.Buffers;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Protocol.Tests.Messages.Commands;

public class CommandRoundTripTests
{
    private static ConnectCommand FullConnect() => new()
    {
        TransactionId = 1,
        App = "live",
        Type = "nonprivate",
        FlashVer = "FMLE/3.0 (compatible; FMSc/1.0)",
        SwfUrl = "rtmp://example.com/live",
        TcUrl = "rtmp://example.com/live",
        Fpad = false,
        Capabilities = 239,
        AudioCodecs = 3575,
        VideoCodecs = 252,
        VideoFunction = 1,
        PageUrl = "https://example.com/",
        ObjectEncoding = 0,
        FourCcList = ["av01", "vp09", "hvc1"],
        OtherProperties = [new("vendorKey", AmfValue.FromString("x"))],
        Arguments = [AmfValue.FromString("user-arg")],
    };

    [Fact]
    public void Connect_round_trips_every_property_and_keeps_unknown_ones()
    {
        var bytes = Bytes(FullConnect().Write);
        Assert.Equal(CommandKind.Connect, CommandHeader.Read(bytes).Kind);
        var connect = ConnectCommand.Read(bytes);
        var expected = FullConnect();
        Assert.Equal(expected.App, connect.App);
        Assert.Equal(expected.Type, connect.Type);
        Assert.Equal(expected.FlashVer, connect.FlashVer);
        Assert.Equal(expected.SwfUrl, connect.SwfUrl);
        Assert.Equal(expected.TcUrl, connect.TcUrl);
        Assert.Equal(expected.Fpad, connect.Fpad);
        Assert.Equal(expected.Capabilities, connect.Capabilities);
        Assert.Equal(expected.AudioCodecs, connect.AudioCodecs);
        Assert.Equal(expected.VideoCodecs, connect.VideoCodecs);
        Assert.Equal(expected.VideoFunction, connect.VideoFunction);
        Assert.Equal(expected.PageUrl, connect.PageUrl);
        Assert.Equal(expected.ObjectEncoding, connect.ObjectEncoding);
        Assert.Equal(expected.FourCcList, connect.FourCcList);
        Assert.Equal("vendorKey", Assert.Single(connect.OtherProperties!).Key);
        Assert.Equal("user-arg", Assert.Single(connect.Arguments!).String);
        Assert.Equal(bytes, Bytes(connect.Write));
        AssertEveryPrefixFailsCleanly(bytes, static span => ConnectCommand.Read(span));
    }

    [Fact]
    public void Connect_as_ffmpeg_writes_it_leaves_unset_properties_null()
    {
        // FFmpeg's rtmpproto.c sends app, type, flashVer, tcUrl (publisher) and nothing else we model.
        var connect = new ConnectCommand { TransactionId = 1, App = "live", Type = "nonprivate", FlashVer = "FMLE/3.0 (compatible; Lavf61.7.100)", TcUrl = "rtmp://127.0.0.1:1935/live" };
        var read = ConnectCommand.Read(Bytes(connect.Write));
        Assert.Equal("live", read.App);
        Assert.Null(read.Capabilities);
        Assert.Null(read.FourCcList);
        Assert.Null(read.OtherProperties);
        Assert.Null(read.Arguments);
    }

    [Fact]
    public void Connect_result_and_error_round_trip()
    {
        var success = CommandResult.ConnectSuccess(1);
        var bytes = Bytes(success.Write);
        var read = CommandResult.Read(bytes);
        Assert.Equal("FMS/3,0,1,123", read.Properties!.Value.FmsVer);
        Assert.Equal(StatusCode.ConnectSuccess, read.Information!.Value.Code);
        Assert.Equal(0, read.Information.Value.ObjectEncoding);
        Assert.Equal(bytes, Bytes(read.Write));

        var error = new CommandResult { IsError = true, TransactionId = 1, Information = new StatusInfo(StatusLevel.Error, StatusCode.ConnectRejected, "bad key") };
        var errorBytes = Bytes(error.Write);
        Assert.Equal(CommandKind.Error, CommandHeader.Read(errorBytes).Kind);
        var readError = CommandResult.Read(errorBytes);
        Assert.True(readError.IsError);
        Assert.Null(readError.Properties);
        Assert.Equal(StatusCode.ConnectRejected, readError.Information!.Value.Code);
        AssertEveryPrefixFailsCleanly(bytes, static span => CommandResult.Read(span));
    }

    [Fact]
    public void Stream_commands_round_trip()
    {
        RoundTrip(new CreateStreamCommand(4), c => c.Write, CreateStreamCommand.Read);
        RoundTrip(new CloseStreamCommand(0), c => c.Write, CloseStreamCommand.Read);
        RoundTrip(new DeleteStreamCommand(6, 1), c => c.Write, DeleteStreamCommand.Read);
        RoundTrip(new StreamNameCommand(StreamNameCommandKind.ReleaseStream, 2, "cam"), c => c.Write, StreamNameCommand.Read);
        RoundTrip(new StreamNameCommand(StreamNameCommandKind.FCPublish, 3, "cam"), c => c.Write, StreamNameCommand.Read);
        RoundTrip(new StreamNameCommand(StreamNameCommandKind.FCUnpublish, 5, "cam"), c => c.Write, StreamNameCommand.Read);
        RoundTrip(new PublishCommand(5, "cam?key=secret", PublishType.Live), c => c.Write, PublishCommand.Read);
        RoundTrip(new PublishCommand(5, "cam", PublishType.Record), c => c.Write, PublishCommand.Read);
        RoundTrip(new PublishCommand(5, "cam", PublishType.Append), c => c.Write, PublishCommand.Read);
        RoundTrip(new PlayCommand(4, "cam", -1, 30, false), c => o => c.Write(o), PlayCommand.Read);
        RoundTrip(new PauseCommand(0, true, 1234), c => c.Write, PauseCommand.Read);
        RoundTrip(new ReceiveMediaCommand(ReceivedMedia.Audio, 0, false), c => c.Write, ReceiveMediaCommand.Read);
        RoundTrip(new ReceiveMediaCommand(ReceivedMedia.Video, 0, true), c => c.Write, ReceiveMediaCommand.Read);
        RoundTrip(new SampleAccessMessage(true, false), c => c.Write, SampleAccessMessage.Read);
    }

    [Fact]
    public void Publish_rejects_an_unknown_type_and_defaults_to_live()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(buffer);
        writer.WriteString("publish"u8);
        writer.WriteNumber(0);
        writer.WriteNull();
        writer.WriteString("cam"u8);
        Assert.Equal(PublishType.Live, PublishCommand.Read(buffer.WrittenSpan).Type);
        writer.WriteString("broadcast"u8);
        Assert.Contains("not live, record, append", Assert.Throws<RtmpProtocolException>(() => PublishCommand.Read(buffer.WrittenSpan)).Message);
    }

    [Fact]
    public void Read_names_the_command_it_expected()
    {
        var bytes = Bytes(new CreateStreamCommand(2).Write);
        var exception = Assert.Throws<RtmpProtocolException>(() => PlayCommand.Read(bytes));
        Assert.Contains("'createStream' where 'play' was expected", exception.Message);
    }

    [Fact]
    public void OnStatus_round_trips_and_the_span_writer_matches_the_model_writer()
    {
        var model = new OnStatusCommand(new StatusInfo(StatusLevel.Status, StatusCode.PlayStart, "Started playing cam.") { Details = "cam" });
        var bytes = Bytes(model.Write);
        var fromSpans = Bytes(o => OnStatusCommand.Write(o, "status"u8, "NetStream.Play.Start"u8, "Started playing cam."u8, "cam"u8));
        Assert.Equal(bytes, fromSpans);

        var read = OnStatusCommand.Read(bytes);
        Assert.Equal(StatusCommandKind.OnStatus, read.Kind);
        Assert.Equal(StatusCode.PlayStart, read.Info.Code);
        Assert.Equal("cam", read.Info.Details);
        AssertEveryPrefixFailsCleanly(bytes, static span => OnStatusCommand.Read(span));

        var fcPublish = new OnStatusCommand(new StatusInfo(StatusLevel.Status, StatusCode.PublishStart, "cam"), StatusCommandKind.OnFCPublish);
        var fcBytes = Bytes(fcPublish.Write);
        Assert.Equal(CommandKind.OnFCPublish, CommandHeader.Read(fcBytes).Kind);
        Assert.Equal(StatusCommandKind.OnFCPublish, OnStatusCommand.Read(fcBytes).Kind);
    }

    [Fact]
    public void Status_codes_are_the_flash_strings()
    {
        Assert.Equal("NetConnection.Connect.Success", StatusCode.ConnectSuccess);
        Assert.Equal("NetStream.Play.UnpublishNotify", StatusCode.PlayUnpublishNotify);
        Assert.Equal("NetStream.Publish.BadName", StatusCode.PublishBadName);
        Assert.Equal("NetStream.Unpause.Notify", StatusCode.UnpauseNotify);
    }

    [Theory]
    [InlineData("connect", CommandKind.Connect)]
    [InlineData("_result", CommandKind.Result)]
    [InlineData("_error", CommandKind.Error)]
    [InlineData("createStream", CommandKind.CreateStream)]
    [InlineData("releaseStream", CommandKind.ReleaseStream)]
    [InlineData("FCPublish", CommandKind.FCPublish)]
    [InlineData("FCUnpublish", CommandKind.FCUnpublish)]
    [InlineData("publish", CommandKind.Publish)]
    [InlineData("play", CommandKind.Play)]
    [InlineData("deleteStream", CommandKind.DeleteStream)]
    [InlineData("closeStream", CommandKind.CloseStream)]
    [InlineData("pause", CommandKind.Pause)]
    [InlineData("receiveAudio", CommandKind.ReceiveAudio)]
    [InlineData("receiveVideo", CommandKind.ReceiveVideo)]
    [InlineData("onStatus", CommandKind.OnStatus)]
    [InlineData("onFCPublish", CommandKind.OnFCPublish)]
    [InlineData("|RtmpSampleAccess", CommandKind.SampleAccess)]
    [InlineData("@setDataFrame", CommandKind.SetDataFrame)]
    [InlineData("onMetaData", CommandKind.OnMetaData)]
    [InlineData("CreateStream", CommandKind.Unknown)]
    [InlineData("", CommandKind.Unknown)]
    public void Classify_matches_exact_names(string name, CommandKind kind) =>
        Assert.Equal(kind, CommandName.Classify(System.Text.Encoding.UTF8.GetBytes(name)));

    [Fact]
    public void Amf3_command_header_and_typed_read_after_normalising()
    {
        // Type 17: format byte 0x00, then AMF0 values; Flash Player 9+ switches the command object to AMF3.
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write([(byte)0x00]);
        var writer = new Amf0Writer(buffer);
        writer.WriteString("connect"u8);
        writer.WriteNumber(1);
        buffer.Write([(byte)Amf0Marker.AvmPlusObject]);
        new Amf3Writer(buffer).WriteValue(AmfValue.FromObject(
        [
            new("app", AmfValue.FromString("live")),
            new("objectEncoding", AmfValue.FromNumber(3)),
            new("fourCcList", AmfValue.FromStrictArray([AmfValue.FromString("hvc1")])),
        ]));
        var payload = buffer.WrittenSpan.ToArray();

        var header = CommandHeader.Read(payload, amf3Command: true);
        Assert.Equal(CommandKind.Connect, header.Kind);
        Assert.Equal(1, header.TransactionId);
        Assert.Equal(1 + 10 + 9, header.Length);

        var amf0 = new ArrayBufferWriter<byte>();
        Amf3Commands.ToAmf0(payload, amf0);
        var connect = ConnectCommand.Read(amf0.WrittenSpan);
        Assert.Equal("live", connect.App);
        Assert.Equal(3, connect.ObjectEncoding);
        Assert.Equal(["hvc1"], connect.FourCcList!);

        Assert.Contains("format byte 0x05", Assert.Throws<RtmpProtocolException>(() => CommandHeader.Read([0x05], amf3Command: true)).Message);
        AssertEveryPrefixFailsCleanly(payload, static span => Amf3Commands.ToAmf0(span, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Amf3_scalars_in_a_type_17_play_are_read_inline()
    {
        // 0x00, "play", 0x11 integer 0, null, 0x11 string "cam"
        byte[] payload = [0x00, 0x02, 0x00, 0x04, (byte)'p', (byte)'l', (byte)'a', (byte)'y', 0x11, 0x04, 0x00, 0x05, 0x11, 0x06, 0x07, (byte)'c', (byte)'a', (byte)'m'];
        var header = CommandHeader.Read(payload, amf3Command: true);
        Assert.Equal(CommandKind.Play, header.Kind);
        var amf0 = new ArrayBufferWriter<byte>();
        Amf3Commands.ToAmf0(payload, amf0);
        Assert.Equal("cam", PlayCommand.Read(amf0.WrittenSpan).StreamName);
        Assert.Equal("cam", PlayCommand.Read(payload.AsSpan(1)).StreamName);
    }

    private static void RoundTrip<T>(T command, Func<T, Action<IBufferWriter<byte>>> write, ReadDelegate<T> read)
    {
        var bytes = Bytes(write(command));
        var decoded = read(bytes, null);
        Assert.Equal(command, decoded);
        Assert.Equal(bytes, Bytes(write(decoded)));
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            var exception = Record.Exception(() => read(prefix, null));
            Assert.True(exception is null or RtmpProtocolException, $"{typeof(T).Name} cut at {length}: {exception}");
        }
    }

    private delegate T ReadDelegate<T>(ReadOnlySpan<byte> payload, RtmpLimits? limits);

    internal delegate void Parse(ReadOnlySpan<byte> payload);

    internal static void AssertEveryPrefixFailsCleanly(byte[] bytes, Parse parse)
    {
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            var exception = Record.Exception(() => parse(prefix));
            Assert.True(exception is null or RtmpProtocolException, $"cut at {length}/{bytes.Length}: {exception}");
        }
    }

    internal static byte[] Bytes(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
