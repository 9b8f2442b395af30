using System.Buffers;
using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// The chunk reader over a byte stream of chunks (what follows the handshake), in the steps <see cref="Feed"/> picks;
/// every message it completes goes through the same typed readers a server session uses (<see cref="Messages"/>).
/// </summary>
internal static class ChunkTarget
{
    // The server's limits, but small enough that the fuzzer reaches them.
    private static readonly RtmpLimits Limits = new() { MaxMessageLength = 64 * 1024, MaxChunkStreams = 8 };

    public static void Run(ReadOnlySpan<byte> data)
    {
        Feed feed = Feed.Of(data);
        ReadOnlySequence<byte> all = feed.ToSequence();
        using var reader = new ChunkReader(Limits);
        long consumed = 0;
        for (long arrived = Math.Min(feed.Step, all.Length); ; arrived = Math.Min(arrived + feed.Step, all.Length))
        {
            ReadOnlySequence<byte> input = all.Slice(consumed, arrived - consumed);
            // Each message consumes at least one chunk header byte, so this loop ends with the input.
            while (reader.TryReadMessage(ref input, out RtmpMessage message))
            {
                Messages.Read(message.Header, message.Payload.Span, Limits);
                reader.TryGetAcknowledgement(out _);
            }

            consumed = all.GetOffset(input.Start);
            if (arrived == all.Length)
            {
                break;
            }
        }
    }
}
