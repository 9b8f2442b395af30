using System.Buffers;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.Protocol.Tests.Amf;

namespace EdgeRtmp.Protocol.Tests.Messages.Commands;

/// <summary>
/// Golden vectors from the seed articles (/work/shared/seeds, the "RTMP Protocol" write-up of connect, createStream
/// and play). Only the message payload is kept: the articles' chunk basic/message headers (channel 0x03, 0xC3
/// continuation bytes) are stripped, since chunking is not AMF's business. Where the articles disagree with Adobe's
/// specifications the specification wins:
/// - the createStream command is spelled "createStream" (the article writes "CreateStream");
/// - the article's "fmsV er" is "fmsVer" (a typesetting split);
/// - the createStream _result stream id is the 8-byte double 0x3FF0000000000000 (the article drops a zero byte).
/// </summary>
public class SeedVectorTests
{
    // "_result", 1.0, {capabilities: 31.0, fmsVer: "RubyIZUMI/0,1,2,0"},
    // {code: "NetConnection.Connect.Success", level: "status", description: "Connection Succeeded."}
    private const string ConnectResultHex =
        "0200075F726573756C74003FF000000000000003000C6361706162696C697469657300403F0000000000000006666D7356657202001152756279495A554D492F302C312C322C30000009"
        + "030004636F646502001D4E6574436F6E6E656374696F6E2E436F6E6E6563742E5375636365737300056C6576656C020006737461747573000B6465736372697074696F6E020015436F6E6E656374696F6E205375636365656465642E000009";

    // "createStream", 2.0, null
    private const string CreateStreamHex = "02000C63726561746553747265616D00400000000000000005";

    // "_result", 2.0, null, 1.0
    private const string CreateStreamResultHex = "0200075F726573756C7400400000000000000005003FF0000000000000";

    // "play", 0.0, null, "test.mp4"
    private const string PlayHex = "020004706C617900000000000000000005020008746573742E6D7034";

    // "play", 0.0, null, "red5StreamDemo_video", -1
    private const string PlayWithStartHex = "020004706C6179000000000000000000050200147265643553747265616D44656D6F5F766964656F00BFF0000000000000";

    [Fact]
    public void Connect_result_decodes_into_the_model()
    {
        var bytes = Convert.FromHexString(ConnectResultHex);
        var header = CommandHeader.Read(bytes);
        Assert.Equal(CommandKind.Result, header.Kind);
        Assert.Equal(1, header.TransactionId);

        var result = CommandResult.Read(bytes);
        Assert.False(result.IsError);
        Assert.Equal(1, result.TransactionId);
        Assert.Equal("RubyIZUMI/0,1,2,0", result.Properties!.Value.FmsVer);
        Assert.Equal(31, result.Properties.Value.Capabilities);
        Assert.Null(result.Properties.Value.Mode);
        var info = result.Information!.Value;
        Assert.Equal(StatusLevel.Status, info.Level);
        Assert.Equal(StatusCode.ConnectSuccess, info.Code);
        Assert.Equal("Connection Succeeded.", info.Description);
        Assert.Null(result.Number);
    }

    [Fact]
    public void Connect_result_re_encodes_byte_identical_through_the_generic_tree()
    {
        // Our typed writer orders properties as nginx-rtmp does (fmsVer before capabilities; level, code,
        // description), the article's server did not: the generic tree keeps wire order and is byte-identical.
        var bytes = Convert.FromHexString(ConnectResultHex);
        var reader = new Amf0Reader(bytes);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(buffer);
        while (!reader.IsAtEnd)
        {
            AmfValue.ReadAmf0(ref reader).WriteAmf0(ref writer);
        }
        Assert.Equal(ConnectResultHex, Convert.ToHexString(buffer.WrittenSpan));
    }

    [Fact]
    public void Connect_result_typed_re_encode_decodes_to_the_same_model()
    {
        var result = CommandResult.Read(Convert.FromHexString(ConnectResultHex));
        var buffer = new ArrayBufferWriter<byte>();
        result.Write(buffer);
        var again = CommandResult.Read(buffer.WrittenSpan);
        Assert.Equal(result.Properties, again.Properties);
        Assert.Equal(result.Information!.Value.Code, again.Information!.Value.Code);
        Assert.Equal(result.Information.Value.Level, again.Information.Value.Level);
        Assert.Equal(result.Information.Value.Description, again.Information.Value.Description);
    }

    [Fact]
    public void CreateStream_round_trips_byte_identical()
    {
        var bytes = Convert.FromHexString(CreateStreamHex);
        Assert.Equal(CommandKind.CreateStream, CommandHeader.Read(bytes).Kind);
        var command = CreateStreamCommand.Read(bytes);
        Assert.Equal(2, command.TransactionId);
        Assert.Equal(CreateStreamHex, Write(command.Write));
    }

    [Fact]
    public void CreateStream_result_round_trips_byte_identical()
    {
        var bytes = Convert.FromHexString(CreateStreamResultHex);
        var result = CommandResult.Read(bytes);
        Assert.Equal(2, result.TransactionId);
        Assert.Null(result.Properties);
        Assert.Null(result.Information);
        Assert.Equal(1, result.Number);
        Assert.Equal(CreateStreamResultHex, Write(result.Write));
        Assert.Equal(CreateStreamResultHex, Write(CommandResult.CreateStreamResult(2, 1).Write));
    }

    [Fact]
    public void Play_round_trips_byte_identical_when_only_the_name_is_given()
    {
        var bytes = Convert.FromHexString(PlayHex);
        Assert.Equal(CommandKind.Play, CommandHeader.Read(bytes).Kind);
        var play = PlayCommand.Read(bytes);
        Assert.Equal(new PlayCommand(0, "test.mp4", Start: -2, Duration: -1, Reset: true), play);
        Assert.Equal(PlayHex, Write(output => play.Write(output, includeOptional: false)));
    }

    [Fact]
    public void Play_with_start_reads_the_optional_argument()
    {
        var play = PlayCommand.Read(Convert.FromHexString(PlayWithStartHex));
        Assert.Equal("red5StreamDemo_video", play.StreamName);
        Assert.Equal(-1, play.Start);
        Assert.Equal(-1, play.Duration);
    }

    [Fact]
    public void Every_seed_vector_cut_at_every_byte_fails_cleanly()
    {
        foreach (var hex in new[] { ConnectResultHex, CreateStreamHex, CreateStreamResultHex, PlayHex, PlayWithStartHex })
        {
            var bytes = Convert.FromHexString(hex);
            for (var length = 0; length < bytes.Length; length++)
            {
                var prefix = bytes[..length];
                var exception = Record.Exception(() =>
                {
                    CommandHeader.Read(prefix);
                    var reader = new Amf0Reader(prefix);
                    while (!reader.IsAtEnd)
                    {
                        reader.Skip();
                    }
                    CommandResult.Read(prefix);
                });
                Assert.True(exception is null or RtmpProtocolException, $"{hex[..8]} cut at {length}: {exception}");
            }
        }
    }

    internal static string Write(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Convert.ToHexString(buffer.WrittenSpan);
    }
}
