using System.Buffers;
using EdgeRtmp.Protocol.Handshake;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// RTMP handshake, both roles: the input is what the peer sends (C0 C1 C2 to a server, S0 S1 S2 to a client),
/// delivered in the steps <see cref="Feed"/> picks, the way <c>RtmpConnection</c> feeds the state machine.
/// </summary>
internal static class HandshakeTargets
{
    // A fixed fill keeps runs reproducible: the fuzzer must see the same behaviour for the same input.
    private static readonly HandshakeOptions Options = new() { RandomFill = static span => span.Fill(0x5A) };

    public static void Server(ReadOnlySpan<byte> data) => Run(RtmpHandshake.CreateServer(Options), data);

    public static void Client(ReadOnlySpan<byte> data) => Run(RtmpHandshake.CreateClient(Options), data);

    private static void Run(RtmpHandshake handshake, ReadOnlySpan<byte> data)
    {
        Feed feed = Feed.Of(data);
        ReadOnlySequence<byte> all = feed.ToSequence();
        var output = new ArrayBufferWriter<byte>();
        handshake.Start(output);
        long consumed = 0;
        for (long arrived = Math.Min(feed.Step, all.Length); ; arrived = Math.Min(arrived + feed.Step, all.Length))
        {
            ReadOnlySequence<byte> input = all.Slice(consumed, arrived - consumed);
            bool complete = handshake.TryAdvance(ref input, output);
            consumed = all.GetOffset(input.Start);
            if (complete || arrived == all.Length)
            {
                break;
            }
        }
    }
}
