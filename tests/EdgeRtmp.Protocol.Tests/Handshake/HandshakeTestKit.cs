using System.Buffers;
using EdgeRtmp.Protocol.Handshake;

namespace EdgeRtmp.Protocol.Tests.Handshake;

/// <summary>Deterministic options, multi-segment sequences and an in-memory wire between two handshakes.</summary>
internal static class HandshakeTestKit
{
    public const int C0C1Length = 1 + RtmpHandshake.PacketLength;
    public const int S0S1S2Length = 1 + 2 * RtmpHandshake.PacketLength;

    public static HandshakeOptions Options(int seed, bool offerComplex = true, HandshakeDigestScheme scheme = HandshakeDigestScheme.DigestFirst) => new()
    {
        Epoch = 0x01020304u + (uint)seed,
        RandomFill = new Random(seed).NextBytes,
        OfferComplex = offerComplex,
        DigestScheme = scheme,
    };

    public static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A sequence whose segments break at the given positions (empty segments allowed).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> bytes, params int[] cuts)
    {
        Segment? first = null, last = null;
        int start = 0;
        foreach (int cut in cuts.Append(bytes.Length))
        {
            var segment = new Segment(bytes[start..cut].ToArray());
            if (first is null)
                first = last = segment;
            else
                last = last!.Append(segment);
            start = cut;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>Feeds <paramref name="bytes"/> in pieces of <paramref name="chunk"/> bytes; every piece must be consumed entirely.</summary>
    public static bool Feed(RtmpHandshake receiver, ReadOnlySpan<byte> bytes, IBufferWriter<byte> replies, int chunk)
    {
        bool complete = receiver.IsComplete;
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            var input = new ReadOnlySequence<byte>(bytes.Slice(offset, Math.Min(chunk, bytes.Length - offset)).ToArray());
            complete = receiver.TryAdvance(ref input, replies);
            Assert.True(input.IsEmpty, "a handshake-only input must be consumed entirely");
        }
        return complete;
    }

    /// <summary>Runs two handshakes against each other, delivering every flight in pieces of <paramref name="chunk"/> bytes.</summary>
    public static void Run(RtmpHandshake client, RtmpHandshake server, int chunk = int.MaxValue)
    {
        var toServer = new ArrayBufferWriter<byte>();
        var toClient = new ArrayBufferWriter<byte>();
        client.Start(toServer);
        for (int flight = 0; flight < 4 && !(client.IsComplete && server.IsComplete); flight++)
        {
            Deliver(toServer, server, toClient, chunk);
            Deliver(toClient, client, toServer, chunk);
        }
        Assert.True(client.IsComplete, "client did not complete");
        Assert.True(server.IsComplete, "server did not complete");
        Assert.Equal(0, toServer.WrittenCount);
        Assert.Equal(0, toClient.WrittenCount);
    }

    private static void Deliver(ArrayBufferWriter<byte> wire, RtmpHandshake receiver, ArrayBufferWriter<byte> replies, int chunk)
    {
        byte[] bytes = wire.WrittenSpan.ToArray();
        wire.ResetWrittenCount();
        Feed(receiver, bytes, replies, Math.Max(1, Math.Min(chunk, Math.Max(1, bytes.Length))));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
            return next;
        }
    }
}
