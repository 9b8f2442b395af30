using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Protocol.Handshake;
using static EdgeRtmp.Protocol.Tests.Handshake.HandshakeTestKit;

namespace EdgeRtmp.Protocol.Tests.Handshake;

public class RtmpHandshakeTests
{
    private const int PacketLength = RtmpHandshake.PacketLength;

    public static TheoryData<int> Chunks => [int.MaxValue, 1, 7, 1536, 1537];

    [Theory]
    [MemberData(nameof(Chunks))]
    public void Complex_client_and_server_agree_on_complex(int chunk)
    {
        var client = RtmpHandshake.CreateClient(Options(1));
        var server = RtmpHandshake.CreateServer(Options(2));

        Run(client, server, chunk);

        Assert.Equal(HandshakeKind.Complex, client.Kind);
        Assert.Equal(HandshakeKind.Complex, server.Kind);
        Assert.Equal(HandshakeDigestScheme.DigestFirst, server.DigestScheme);
        Assert.Equal(Options(1).Epoch, server.PeerEpoch);
        Assert.Equal(Options(2).Epoch, client.PeerEpoch);
        Assert.Equal(HandshakeOptions.Default.ClientVersion, server.PeerVersion);
        Assert.Equal(HandshakeOptions.Default.ServerVersion, client.PeerVersion);
    }

    [Theory]
    [MemberData(nameof(Chunks))]
    public void Key_first_scheme_is_answered_in_the_same_scheme(int chunk)
    {
        var client = RtmpHandshake.CreateClient(Options(3, scheme: HandshakeDigestScheme.KeyFirst));
        var server = RtmpHandshake.CreateServer(Options(4));

        Run(client, server, chunk);

        Assert.Equal(HandshakeKind.Complex, server.Kind);
        Assert.Equal(HandshakeDigestScheme.KeyFirst, server.DigestScheme);
        Assert.Equal(HandshakeKind.Complex, client.Kind);
        Assert.Equal(HandshakeDigestScheme.KeyFirst, client.DigestScheme);
    }

    [Theory]
    [MemberData(nameof(Chunks))]
    public void Simple_client_makes_the_server_fall_back_to_simple(int chunk)
    {
        var client = RtmpHandshake.CreateClient(Options(5, offerComplex: false));
        var server = RtmpHandshake.CreateServer(Options(6));

        Run(client, server, chunk);

        Assert.Equal(HandshakeKind.Simple, client.Kind);
        Assert.Equal(HandshakeKind.Simple, server.Kind);
        Assert.Equal(0u, server.PeerVersion);
    }

    [Fact]
    public void Server_that_refuses_complex_answers_a_complex_client_simply()
    {
        var client = RtmpHandshake.CreateClient(Options(7));
        var server = RtmpHandshake.CreateServer(Options(8) with { AcceptComplex = false });

        Run(client, server);

        Assert.Equal(HandshakeKind.Simple, client.Kind);
        Assert.Equal(HandshakeKind.Simple, server.Kind);
    }

    [Fact]
    public void Simple_server_answer_is_S1_without_version_and_S2_echoing_C1()
    {
        byte[] c0c1 = HandRolledC0C1(seed: 9);
        var server = RtmpHandshake.CreateServer(Options(10));
        var reply = new ArrayBufferWriter<byte>();

        Assert.False(Feed(server, c0c1, reply, int.MaxValue));

        ReadOnlySpan<byte> s = reply.WrittenSpan;
        Assert.Equal(S0S1S2Length, s.Length);
        Assert.Equal(3, s[0]);
        Assert.Equal(Options(10).Epoch, BinaryPrimitives.ReadUInt32BigEndian(s[1..]));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(s[5..]));
        Assert.True(s.Slice(1 + PacketLength, PacketLength).SequenceEqual(c0c1.AsSpan(1)));
        Assert.Equal(HandshakeKind.Simple, server.Kind);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public void Complex_client_accepts_a_hand_rolled_simple_server_and_echoes_S1(int chunk)
    {
        var client = RtmpHandshake.CreateClient(Options(11));
        var toServer = new ArrayBufferWriter<byte>();
        client.Start(toServer);
        byte[] c1 = toServer.WrittenSpan[1..].ToArray();
        Assert.Equal(C0C1Length, toServer.WrittenCount);
        Assert.NotEqual(0u, BinaryPrimitives.ReadUInt32BigEndian(c1.AsSpan(4)));
        toServer.ResetWrittenCount();

        byte[] s1 = HandRolledC0C1(seed: 12).AsSpan(1).ToArray();
        byte[] reply = [3, .. s1, .. c1];

        Assert.True(Feed(client, reply, toServer, chunk));
        Assert.Equal(HandshakeKind.Simple, client.Kind);
        Assert.True(toServer.WrittenSpan.SequenceEqual(s1));
    }

    [Fact]
    public void Client_with_a_simple_server_does_not_check_S2()
    {
        // FFmpeg's leniency: some servers send random bytes, not an echo, as S2.
        var client = RtmpHandshake.CreateClient(Options(13));
        var toServer = new ArrayBufferWriter<byte>();
        client.Start(toServer);
        byte[] reply = [3, .. HandRolledC0C1(seed: 14).AsSpan(1), .. RandomBytes(15, PacketLength)];

        Assert.True(Feed(client, reply, toServer, int.MaxValue));
        Assert.Equal(HandshakeKind.Simple, client.Kind);
    }

    [Fact]
    public void Server_consumes_C0C1_split_at_every_position()
    {
        byte[] c0c1 = ClientC0C1(seed: 20);
        byte[] expected = ServerReply(c0c1, serverSeed: 21);

        for (int cut = 0; cut <= c0c1.Length; cut++)
        {
            var server = RtmpHandshake.CreateServer(Options(21));
            var reply = new ArrayBufferWriter<byte>();

            ReadOnlySequence<byte> twoSegments = Split(c0c1, cut);
            Assert.False(server.TryAdvance(ref twoSegments, reply));
            Assert.True(twoSegments.IsEmpty);
            Assert.True(reply.WrittenSpan.SequenceEqual(expected), $"two segments cut at {cut}");

            server = RtmpHandshake.CreateServer(Options(21));
            reply.ResetWrittenCount();
            var head = new ReadOnlySequence<byte>(c0c1, 0, cut);
            var tail = new ReadOnlySequence<byte>(c0c1, cut, c0c1.Length - cut);
            Assert.False(server.TryAdvance(ref head, reply));
            Assert.Equal(cut == c0c1.Length ? S0S1S2Length : 0, reply.WrittenCount);
            Assert.False(server.TryAdvance(ref tail, reply));
            Assert.True(head.IsEmpty && tail.IsEmpty);
            Assert.True(reply.WrittenSpan.SequenceEqual(expected), $"two calls cut at {cut}");
            Assert.Equal(HandshakeKind.Complex, server.Kind);
        }
    }

    [Fact]
    public void Server_consumes_C2_split_at_every_position_and_leaves_the_first_chunk()
    {
        var client = RtmpHandshake.CreateClient(Options(22));
        var toServer = new ArrayBufferWriter<byte>();
        client.Start(toServer);
        byte[] c0c1 = toServer.WrittenSpan.ToArray();
        toServer.ResetWrittenCount();
        Assert.True(Feed(client, ServerReply(c0c1, serverSeed: 23), toServer, int.MaxValue));
        byte[] firstChunk = [0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x14, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x07];
        byte[] c2AndChunk = [.. toServer.WrittenSpan, .. firstChunk];

        for (int cut = 0; cut <= c2AndChunk.Length; cut++)
        {
            var server = RtmpHandshake.CreateServer(Options(23));
            var reply = new ArrayBufferWriter<byte>();
            Feed(server, c0c1, reply, int.MaxValue);

            ReadOnlySequence<byte> input = Split(c2AndChunk, cut);
            Assert.True(server.TryAdvance(ref input, reply));
            Assert.True(input.ToArray().AsSpan().SequenceEqual(firstChunk), $"one call, cut at {cut}");

            server = RtmpHandshake.CreateServer(Options(23));
            Feed(server, c0c1, reply, int.MaxValue);
            var head = new ReadOnlySequence<byte>(c2AndChunk, 0, cut);
            bool completeAfterHead = server.TryAdvance(ref head, reply);
            Assert.Equal(cut >= PacketLength, completeAfterHead);
            var tail = new ReadOnlySequence<byte>(c2AndChunk, cut, c2AndChunk.Length - cut);
            Assert.True(server.TryAdvance(ref tail, reply));
            byte[] left = [.. head.ToArray(), .. tail.ToArray()];
            Assert.True(left.AsSpan().SequenceEqual(firstChunk), $"two calls, cut at {cut}");
        }
    }

    [Fact]
    public void Client_consumes_S0S1S2_split_at_every_position_and_leaves_what_follows()
    {
        byte[] c0c1 = ClientC0C1(seed: 24);
        byte[] following = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05];
        byte[] reply = [.. ServerReply(c0c1, serverSeed: 25), .. following];
        byte[]? expectedC2 = null;

        for (int cut = 0; cut <= reply.Length; cut++)
        {
            var client = RtmpHandshake.CreateClient(Options(24));
            var toServer = new ArrayBufferWriter<byte>();
            client.Start(toServer);
            toServer.ResetWrittenCount();

            ReadOnlySequence<byte> input = Split(reply, cut);
            Assert.True(client.TryAdvance(ref input, toServer));
            Assert.True(input.ToArray().AsSpan().SequenceEqual(following), $"cut at {cut}");
            Assert.Equal(HandshakeKind.Complex, client.Kind);
            expectedC2 ??= toServer.WrittenSpan.ToArray();
            Assert.True(toServer.WrittenSpan.SequenceEqual(expectedC2), $"C2 differs, cut at {cut}");
        }
    }

    [Fact]
    public void A_complete_handshake_consumes_nothing_more()
    {
        var client = RtmpHandshake.CreateClient(Options(26));
        var server = RtmpHandshake.CreateServer(Options(27));
        Run(client, server);

        var input = new ReadOnlySequence<byte>([1, 2, 3]);
        var output = new ArrayBufferWriter<byte>();
        Assert.True(server.TryAdvance(ref input, output));
        Assert.True(client.TryAdvance(ref input, output));
        Assert.Equal(3, input.Length);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Start_is_a_no_op_on_a_server_and_when_repeated()
    {
        var output = new ArrayBufferWriter<byte>();
        RtmpHandshake.CreateServer(Options(28)).Start(output);
        Assert.Equal(0, output.WrittenCount);

        var client = RtmpHandshake.CreateClient(Options(29));
        client.Start(output);
        client.Start(output);
        var empty = ReadOnlySequence<byte>.Empty;
        Assert.False(client.TryAdvance(ref empty, output));
        Assert.Equal(C0C1Length, output.WrittenCount);
    }

    [Fact]
    public void TryAdvance_starts_a_client_that_was_not_started()
    {
        var client = RtmpHandshake.CreateClient(Options(30));
        var output = new ArrayBufferWriter<byte>();
        var empty = ReadOnlySequence<byte>.Empty;

        Assert.False(client.TryAdvance(ref empty, output));

        Assert.Equal(C0C1Length, output.WrittenCount);
        Assert.Equal(3, output.WrittenSpan[0]);
    }

    [Fact]
    public void Reset_makes_both_roles_reusable()
    {
        var client = RtmpHandshake.CreateClient(Options(31));
        var server = RtmpHandshake.CreateServer(Options(32));
        Run(client, server);
        client.Reset();
        server.Reset();
        Assert.Equal(HandshakeKind.Pending, client.Kind);
        Assert.False(server.IsComplete);

        Run(client, server, chunk: 100);
        Assert.Equal(HandshakeKind.Complex, server.Kind);
    }

    [Fact]
    public void A_reused_handshake_allocates_nothing()
    {
        var client = RtmpHandshake.CreateClient(HandshakeOptions.Default);
        var server = RtmpHandshake.CreateServer(HandshakeOptions.Default);
        var toServer = new ArrayBufferWriter<byte>(4096);
        var toClient = new ArrayBufferWriter<byte>(4096);
        RunInMemory(client, server, toServer, toClient);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            RunInMemory(client, server, toServer, toClient);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(HandshakeKind.Complex, server.Kind);
    }

    private static void RunInMemory(RtmpHandshake client, RtmpHandshake server, ArrayBufferWriter<byte> toServer, ArrayBufferWriter<byte> toClient)
    {
        client.Reset();
        server.Reset();
        toServer.ResetWrittenCount();
        client.Start(toServer);
        var c0c1 = new ReadOnlySequence<byte>(toServer.WrittenMemory);
        server.TryAdvance(ref c0c1, toClient);
        toServer.ResetWrittenCount();
        var s0s1s2 = new ReadOnlySequence<byte>(toClient.WrittenMemory);
        client.TryAdvance(ref s0s1s2, toServer);
        toClient.ResetWrittenCount();
        var c2 = new ReadOnlySequence<byte>(toServer.WrittenMemory);
        server.TryAdvance(ref c2, toClient);
    }

    /// <summary>C0+C1 of a simple client as the RTMP 1.0 spec draws it: time, zero, random.</summary>
    internal static byte[] HandRolledC0C1(int seed)
    {
        byte[] c0c1 = RandomBytes(seed, C0C1Length);
        c0c1[0] = 3;
        BinaryPrimitives.WriteUInt32BigEndian(c0c1.AsSpan(1), 1000);
        BinaryPrimitives.WriteUInt32BigEndian(c0c1.AsSpan(5), 0);
        return c0c1;
    }

    internal static byte[] ClientC0C1(int seed, HandshakeDigestScheme scheme = HandshakeDigestScheme.DigestFirst)
    {
        var output = new ArrayBufferWriter<byte>();
        RtmpHandshake.CreateClient(Options(seed, scheme: scheme)).Start(output);
        return output.WrittenSpan.ToArray();
    }

    internal static byte[] ServerReply(byte[] c0c1, int serverSeed, HandshakeOptions? options = null)
    {
        var server = RtmpHandshake.CreateServer(options ?? Options(serverSeed));
        var reply = new ArrayBufferWriter<byte>();
        Feed(server, c0c1, reply, int.MaxValue);
        return reply.WrittenSpan.ToArray();
    }
}
