using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using EdgeRtmp.Protocol.Handshake;
using static EdgeRtmp.Protocol.Tests.Handshake.HandshakeTestKit;
using static EdgeRtmp.Protocol.Tests.Handshake.RtmpHandshakeTests;

namespace EdgeRtmp.Protocol.Tests.Handshake;

/// <summary>
/// The digest arithmetic, checked against an independent restatement of it here (keys spelled out again,
/// HMACs over freshly concatenated arrays) rather than against the production helpers.
/// </summary>
public class HandshakeDigestTests
{
    private const int PacketLength = RtmpHandshake.PacketLength;

    private static readonly byte[] s_suffix = Convert.FromHexString("F0EEC24A8068BEE82E00D0D1029E7E576EEC5D2D29806FAB93B8E636CFEB31AE");
    private static readonly byte[] s_playerKey = Encoding.ASCII.GetBytes("Genuine Adobe Flash Player 001");
    private static readonly byte[] s_playerFullKey = [.. s_playerKey, .. s_suffix];
    private static readonly byte[] s_serverKey = Encoding.ASCII.GetBytes("Genuine Adobe Flash Media Server 001");
    private static readonly byte[] s_serverFullKey = [.. s_serverKey, .. s_suffix];

    [Fact]
    public void Keys_are_the_ones_every_implementation_uses()
    {
        Assert.Equal(30, HandshakeDigest.ClientKey.Length);
        Assert.Equal(62, HandshakeDigest.ClientFullKey.Length);
        Assert.Equal(36, HandshakeDigest.ServerKey.Length);
        Assert.Equal(68, HandshakeDigest.ServerFullKey.Length);
        Assert.True(HandshakeDigest.ClientFullKey.SequenceEqual(s_playerFullKey));
        Assert.True(HandshakeDigest.ServerFullKey.SequenceEqual(s_serverFullKey));
    }

    [Theory]
    [InlineData(HandshakeDigestScheme.DigestFirst, 0, 0, 0, 0, 12)]
    [InlineData(HandshakeDigestScheme.DigestFirst, 0xFF, 0xFF, 0xFF, 0xFF, 12 + 1020 % 728)]
    [InlineData(HandshakeDigestScheme.DigestFirst, 0xFF, 0xFF, 0xD9, 0x00, 12 + 727)] // the last digest ends at 771
    [InlineData(HandshakeDigestScheme.DigestFirst, 0xFF, 0xFF, 0xDA, 0x00, 12)] // 728 wraps
    [InlineData(HandshakeDigestScheme.KeyFirst, 0, 0, 0, 0, 776)]
    [InlineData(HandshakeDigestScheme.KeyFirst, 0xFF, 0xFF, 0xD9, 0x00, 776 + 727)] // the last digest ends at 1535
    [InlineData(HandshakeDigestScheme.KeyFirst, 1, 2, 3, 4, 786)]
    public void Digest_offset_is_the_sum_of_four_bytes_mod_728_past_them(HandshakeDigestScheme scheme, byte b0, byte b1, byte b2, byte b3, int expected)
    {
        var packet = new byte[PacketLength];
        int block = scheme == HandshakeDigestScheme.DigestFirst ? 8 : 772;
        packet[block] = b0;
        packet[block + 1] = b1;
        packet[block + 2] = b2;
        packet[block + 3] = b3;

        Assert.Equal(expected, HandshakeDigest.GetDigestOffset(packet, scheme));
    }

    [Theory]
    [InlineData(HandshakeDigestScheme.DigestFirst, HandshakeDigestScheme.KeyFirst)]
    [InlineData(HandshakeDigestScheme.KeyFirst, HandshakeDigestScheme.DigestFirst)]
    public void C1_of_either_scheme_is_detected_in_that_scheme_only(HandshakeDigestScheme scheme, HandshakeDigestScheme other)
    {
        byte[] c1 = ClientC0C1(seed: 40, scheme)[1..];

        int offset = HandshakeDigest.GetDigestOffset(c1, scheme);
        Assert.Equal(IndependentDigest(c1, offset, s_playerKey), c1[offset..(offset + 32)]);
        Assert.True(HandshakeDigest.TryValidate(c1, scheme, HandshakeDigest.ClientKey, out int found));
        Assert.Equal(offset, found);
        Assert.False(HandshakeDigest.TryValidate(c1, other, HandshakeDigest.ClientKey, out _));

        var server = RtmpHandshake.CreateServer(Options(41));
        Feed(server, [3, .. c1], new ArrayBufferWriter<byte>(), int.MaxValue);
        Assert.Equal(HandshakeKind.Complex, server.Kind);
        Assert.Equal(scheme, server.DigestScheme);
    }

    [Theory]
    [InlineData(HandshakeDigestScheme.DigestFirst, true)]
    [InlineData(HandshakeDigestScheme.DigestFirst, false)]
    [InlineData(HandshakeDigestScheme.KeyFirst, true)]
    [InlineData(HandshakeDigestScheme.KeyFirst, false)]
    public void Corrupted_C1_digest_makes_the_server_fall_back_to_simple(HandshakeDigestScheme scheme, bool corruptTheDigestItself)
    {
        byte[] c0c1 = ClientC0C1(seed: 42, scheme);
        int digestOffset = HandshakeDigest.GetDigestOffset(c0c1.AsSpan(1), scheme);
        int victim = corruptTheDigestItself ? 1 + digestOffset + 5 : 1 + 1500 - (digestOffset > 1400 ? 1000 : 0);
        c0c1[victim] ^= 0x40;

        var server = RtmpHandshake.CreateServer(Options(43));
        var reply = new ArrayBufferWriter<byte>();
        Feed(server, c0c1, reply, int.MaxValue);

        Assert.Equal(HandshakeKind.Simple, server.Kind);
        Assert.True(reply.WrittenSpan[(1 + PacketLength)..].SequenceEqual(c0c1.AsSpan(1)));
        Assert.Equal(0, reply.WrittenSpan[5]);
    }

    [Theory]
    [InlineData(HandshakeDigestScheme.DigestFirst)]
    [InlineData(HandshakeDigestScheme.KeyFirst)]
    public void Complex_server_signs_S1_and_S2_as_a_Flash_client_checks_them(HandshakeDigestScheme scheme)
    {
        byte[] c0c1 = ClientC0C1(seed: 44, scheme);
        byte[] c1 = c0c1[1..];
        byte[] reply = ServerReply(c0c1, serverSeed: 45);
        byte[] s1 = reply[1..(1 + PacketLength)];
        byte[] s2 = reply[(1 + PacketLength)..];

        Assert.True(s1[4] >= 3, "FFmpeg only checks a digest when the first S1 version byte is at least 3");
        int s1DigestOffset = HandshakeDigest.GetDigestOffset(s1, scheme);
        Assert.Equal(IndependentDigest(s1, s1DigestOffset, s_serverKey), s1[s1DigestOffset..(s1DigestOffset + 32)]);

        int c1DigestOffset = HandshakeDigest.GetDigestOffset(c1, scheme);
        byte[] s2Key = HMACSHA256.HashData(s_serverFullKey, c1[c1DigestOffset..(c1DigestOffset + 32)]);
        Assert.Equal(HMACSHA256.HashData(s2Key, s2[..1504]), s2[1504..]);
    }

    [Fact]
    public void Complex_client_signs_C2_from_the_S1_digest()
    {
        var client = RtmpHandshake.CreateClient(Options(46));
        var toServer = new ArrayBufferWriter<byte>();
        client.Start(toServer);
        byte[] reply = ServerReply(toServer.WrittenSpan.ToArray(), serverSeed: 47);
        toServer.ResetWrittenCount();

        Assert.True(Feed(client, reply, toServer, int.MaxValue));

        byte[] s1 = reply[1..(1 + PacketLength)];
        byte[] c2 = toServer.WrittenSpan.ToArray();
        int s1DigestOffset = HandshakeDigest.GetDigestOffset(s1, HandshakeDigestScheme.DigestFirst);
        byte[] c2Key = HMACSHA256.HashData(s_playerFullKey, s1[s1DigestOffset..(s1DigestOffset + 32)]);
        Assert.Equal(HMACSHA256.HashData(c2Key, c2[..1504]), c2[1504..]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(700)]
    [InlineData(1503)]
    [InlineData(1504)]
    [InlineData(1535)]
    public void Complex_client_refuses_an_S2_whose_signature_does_not_match(int corruptedByte)
    {
        var client = RtmpHandshake.CreateClient(Options(48));
        var toServer = new ArrayBufferWriter<byte>();
        client.Start(toServer);
        byte[] reply = ServerReply(toServer.WrittenSpan.ToArray(), serverSeed: 49);
        reply[1 + PacketLength + corruptedByte] ^= 0x01;

        var error = Assert.Throws<RtmpProtocolException>(() => Feed(client, reply, toServer, 100));
        Assert.Contains("S2 is neither signed", error.Message);
        Assert.Equal(HandshakeKind.Complex, client.Kind);
    }

    [Fact]
    public void Complex_client_accepts_a_signed_S1_with_an_S2_echoing_C1()
    {
        var client = RtmpHandshake.CreateClient(Options(50));
        var toServer = new ArrayBufferWriter<byte>();
        client.Start(toServer);
        byte[] c1 = toServer.WrittenSpan[1..].ToArray();
        byte[] reply = ServerReply(toServer.WrittenSpan.ToArray(), serverSeed: 51);
        c1.CopyTo(reply, 1 + PacketLength);

        Assert.True(Feed(client, reply, toServer, int.MaxValue));
        Assert.Equal(HandshakeKind.Complex, client.Kind);
    }

    [Fact]
    public void Simple_client_is_not_checked_for_a_digest_even_if_S1_has_one()
    {
        var client = RtmpHandshake.CreateClient(Options(52, offerComplex: false));
        var toServer = new ArrayBufferWriter<byte>();
        client.Start(toServer);
        // A complex server's answer to someone else's complex C1: S1 is signed, S2 is not ours.
        byte[] reply = ServerReply(ClientC0C1(seed: 53), serverSeed: 54);
        toServer.ResetWrittenCount();

        Assert.True(Feed(client, reply, toServer, int.MaxValue));
        Assert.Equal(HandshakeKind.Simple, client.Kind);
        Assert.True(toServer.WrittenSpan.SequenceEqual(reply.AsSpan(1, PacketLength)));
    }

    private static byte[] IndependentDigest(byte[] packet, int offset, byte[] key) =>
        HMACSHA256.HashData(key, (byte[])[.. packet[..offset], .. packet[(offset + 32)..]]);
}
