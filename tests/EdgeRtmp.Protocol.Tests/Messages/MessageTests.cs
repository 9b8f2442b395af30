using System.Buffers;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Protocol.Tests.Messages;

public class MessageTests
{
    public static TheoryData<UserControlEvent, byte[]> UserControlEvents => new()
    {
        { UserControlEvent.StreamBegin(1), [0, 0, 0, 0, 0, 1] },
        { UserControlEvent.StreamEof(1), [0, 1, 0, 0, 0, 1] },
        { UserControlEvent.StreamDry(1), [0, 2, 0, 0, 0, 1] },
        { UserControlEvent.SetBufferLength(1, 3000), [0, 3, 0, 0, 0, 1, 0, 0, 0x0B, 0xB8] },
        { UserControlEvent.StreamIsRecorded(1), [0, 4, 0, 0, 0, 1] },
        { UserControlEvent.PingRequest(0x01020304), [0, 6, 1, 2, 3, 4] },
        { UserControlEvent.PingResponse(0x01020304), [0, 7, 1, 2, 3, 4] },
    };

    [Theory]
    [MemberData(nameof(UserControlEvents))]
    public void User_control_events_have_the_spec_layout_and_round_trip(UserControlEvent value, byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();
        value.Write(new ChunkWriter(), output);
        RtmpMessage message = ReadSingle(output);
        Assert.Equal(RtmpMessageType.UserControl, message.Type);
        Assert.Equal(ChunkStreamIds.ProtocolControl, message.ChunkStreamId);
        Assert.Equal(0u, message.MessageStreamId);
        Assert.Equal(payload, message.Payload.ToArray());
        Assert.Equal(value, UserControlEvent.Read(payload));
    }

    [Theory]
    [InlineData(new byte[] { 0 }, "has 1 bytes; it needs at least 2")]
    [InlineData(new byte[] { 0, 3, 0, 0, 0, 1 }, "SetBufferLength has 4 bytes of event data; it needs 8")]
    [InlineData(new byte[] { 0, 6, 0 }, "PingRequest has 1 bytes of event data; it needs 4")]
    public void Short_user_control_events_are_protocol_errors(byte[] payload, string expected)
    {
        var error = Assert.Throws<RtmpProtocolException>(() => UserControlEvent.Read(payload));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Unknown_user_control_events_are_read_not_refused()
    {
        Assert.Equal((UserControlEventType)0x1F, UserControlEvent.Read([0, 0x1F, 0, 0, 0, 1]).Type);
    }

    [Fact]
    public void Protocol_control_messages_have_the_spec_layout()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteWindowAcknowledgementSize(writer, output, 2_500_000);
        ProtocolControl.WriteSetPeerBandwidth(writer, output, 2_500_000, PeerBandwidthLimitType.Dynamic);
        ProtocolControl.WriteAcknowledgement(writer, output, 7);
        ProtocolControl.WriteSetChunkSize(writer, output, 4096);
        Assert.Equal(4096, writer.ChunkSize);

        byte[] expected =
        [
            0x02, 0, 0, 0, 0, 0, 4, 5, 0, 0, 0, 0, 0x00, 0x26, 0x25, 0xA0,
            0x42, 0, 0, 0, 0, 0, 5, 6, 0x00, 0x26, 0x25, 0xA0, 2,
            0x42, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0, 7,
            0x42, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0x10, 0x00,
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());

        var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(expected);
        var types = new List<RtmpMessageType>();
        while (reader.TryReadMessage(ref buffer, out RtmpMessage message))
        {
            types.Add(message.Type);
            if (message.Type == RtmpMessageType.SetPeerBandwidth)
            {
                Assert.Equal((2_500_000u, PeerBandwidthLimitType.Dynamic), ProtocolControl.ReadSetPeerBandwidth(message.Payload.Span));
            }
        }

        Assert.Equal([RtmpMessageType.WindowAcknowledgementSize, RtmpMessageType.SetPeerBandwidth, RtmpMessageType.Acknowledgement, RtmpMessageType.SetChunkSize], types);
        Assert.Equal(4096, reader.ChunkSize);
        Assert.Equal(2_500_000u, reader.AcknowledgementWindow);
    }

    [Fact]
    public void Set_peer_bandwidth_with_an_unknown_limit_type_is_refused()
    {
        var error = Assert.Throws<RtmpProtocolException>(() => ProtocolControl.ReadSetPeerBandwidth([0, 0, 1, 0, 7]));
        Assert.Contains("limit type 7 is unknown", error.Message);
    }

    [Fact]
    public void Aggregate_messages_split_into_sub_messages_with_rebased_timestamps()
    {
        byte[] body =
        [
            9, 0, 0, 3, 0, 0, 0x64, 0, 0, 0, 0, 0x17, 0x01, 0xAA, 0, 0, 0, 14,
            8, 0, 0, 2, 0, 0, 0x78, 0, 0, 0, 0, 0xAF, 0x01, 0, 0, 0, 13,
        ];
        var reader = new AggregateReader(new MessageHeader(5000, body.Length, RtmpMessageType.Aggregate, 1), body);
        Assert.True(reader.TryReadNext(out MessageHeader first, out ReadOnlySpan<byte> firstPayload));
        Assert.Equal(new MessageHeader(5000, 3, RtmpMessageType.Video, 1), first);
        Assert.Equal(new byte[] { 0x17, 0x01, 0xAA }, firstPayload.ToArray());
        Assert.True(reader.TryReadNext(out MessageHeader second, out _));
        Assert.Equal(new MessageHeader(5020, 2, RtmpMessageType.Audio, 1), second);
        Assert.False(reader.TryReadNext(out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 9, 0, 0, 3 }, "a sub-message header needs 11 bytes")]
    [InlineData(new byte[] { 9, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 14 }, "claims 9 bytes")]
    [InlineData(new byte[] { 9, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 99 }, "back pointer 99; expected 12")]
    [InlineData(new byte[] { 20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 12 }, "has type 20")]
    public void Malformed_aggregates_are_protocol_errors(byte[] body, string expected)
    {
        var error = Assert.Throws<RtmpProtocolException>(() =>
        {
            var reader = new AggregateReader(new MessageHeader(0, body.Length, RtmpMessageType.Aggregate, 1), body);
            while (reader.TryReadNext(out _, out _))
            {
            }
        });
        Assert.Contains(expected, error.Message);
    }

    private static RtmpMessage ReadSingle(ArrayBufferWriter<byte> output)
    {
        var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(reader.TryReadMessage(ref buffer, out RtmpMessage message));
        Assert.Equal(0, buffer.Length);
        return message;
    }
}
