using System.Buffers;
using System.Text;
using EdgeRtmp.Protocol.Handshake;
using static EdgeRtmp.Protocol.Tests.Handshake.HandshakeTestKit;

namespace EdgeRtmp.Protocol.Tests.Handshake;

public class RtmpHandshakeMalformedTests
{
    public static TheoryData<bool, byte[], string> Malformed => new()
    {
        { true, [0x00], "C0 version byte is 0 (0x00); only 3 (plain RTMP) is supported" },
        { true, [0x04, 1, 2, 3], "C0 version byte is 4" },
        { true, [0xFF], "C0 version byte is 255 (0xFF)" },
        { true, [0x06, 0, 0, 0, 0, 0x80, 0, 3, 2], "C0 version byte asks for RTMPE (encrypted RTMP, version byte 6), which is not supported" },
        { true, [0x08], "RTMPE (encrypted RTMP, version byte 8)" },
        { true, [0x09], "RTMPE (encrypted RTMP, version byte 9)" },
        { true, [0x16, 0x03, 0x01, 0x02, 0x00], "TLS handshake: the peer speaks RTMPS (TLS) to a plain RTMP port" },
        { true, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"), "C0 version byte is 0x47 ('G'), which looks like HTTP" },
        { true, Encoding.ASCII.GetBytes("POST /open/1 HTTP/1.1\r\n"), "looks like HTTP" },
        { false, [0x06], "S0 version byte asks for RTMPE" },
        { false, [0x00], "S0 version byte is 0" },
        { false, Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\n"), "S0 version byte is 0x48 ('H'), which looks like HTTP" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Bad_version_byte_is_refused_with_a_message_that_says_why(bool server, byte[] input, string fragment)
    {
        var handshake = server ? RtmpHandshake.CreateServer(Options(60)) : RtmpHandshake.CreateClient(Options(61));

        var whole = Assert.Throws<RtmpProtocolException>(() => Feed(handshake, input, new ArrayBufferWriter<byte>(), int.MaxValue));
        Assert.Contains(fragment, whole.Message);

        handshake.Reset();
        var oneByteAtATime = Assert.Throws<RtmpProtocolException>(() => Feed(handshake, input, new ArrayBufferWriter<byte>(), 1));
        Assert.Equal(whole.Message, oneByteAtATime.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_junk_is_refused_at_the_version_byte(int seed)
    {
        byte[] junk = RandomBytes(seed, 4000);
        if (junk[0] == RtmpHandshake.RtmpVersion)
            junk[0] = 0x7F;

        foreach (var handshake in new[] { RtmpHandshake.CreateServer(Options(seed)), RtmpHandshake.CreateClient(Options(seed)) })
        {
            var error = Assert.Throws<RtmpProtocolException>(() => Feed(handshake, junk, new ArrayBufferWriter<byte>(), 333));
            Assert.Contains(handshake.IsServer ? "C0 version byte" : "S0 version byte", error.Message);
            Assert.False(handshake.IsComplete);
        }
    }

    [Fact]
    public void Any_input_either_completes_waits_or_throws_the_protocol_exception()
    {
        var random = new Random(62);
        for (int i = 0; i < 300; i++)
        {
            byte[] input = RandomBytes(1000 + i, random.Next(0, 5000));
            if (input.Length > 0 && i % 2 == 0)
                input[0] = RtmpHandshake.RtmpVersion; // reach the C1/S1 and C2/S2 paths too
            if (input.Length > 8 && i % 4 == 0)
                input[5] = input[6] = input[7] = input[8] = 0; // and the zero-version path

            foreach (bool server in new[] { true, false })
            {
                var handshake = server ? RtmpHandshake.CreateServer(Options(i)) : RtmpHandshake.CreateClient(Options(i));
                try
                {
                    Feed(handshake, input.AsSpan(0, Math.Min(input.Length, 3073)), new ArrayBufferWriter<byte>(), random.Next(1, 2000));
                    var rest = new ReadOnlySequence<byte>(input.AsMemory(Math.Min(input.Length, 3073)));
                    handshake.TryAdvance(ref rest, new ArrayBufferWriter<byte>());
                }
                catch (RtmpProtocolException)
                {
                }
            }
        }
    }
}
