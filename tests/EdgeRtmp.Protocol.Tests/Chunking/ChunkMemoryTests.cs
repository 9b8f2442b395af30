using System.Buffers;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Protocol.Tests.Chunking;

/// <summary>What a peer can make the chunk reader hold: bytes it sent, not bytes it announced.</summary>
public class ChunkMemoryTests
{
    // Regression (issue 15, hostile clients): the assembly buffer used to be rented at the declared length when the
    // type-0 header arrived, so 64 first chunks (9 KiB on the wire) announcing 8 MiB each pinned 512 MiB per connection.
    [Fact]
    public void First_chunks_of_the_largest_messages_on_every_chunk_stream_hold_only_what_arrived()
    {
        RtmpLimits limits = RtmpLimits.Default;
        // Each chunk stream: a type-0 header announcing the largest message, then its first chunk (128 bytes).
        const int ChunkLength = 13 + ChunkReader.DefaultChunkSize;
        byte[] stream = new byte[limits.MaxChunkStreams * ChunkLength];
        for (int i = 0; i < limits.MaxChunkStreams; i++)
        {
            Span<byte> chunk = stream.AsSpan(i * ChunkLength, ChunkLength);
            chunk[0] = 0x00;                                       // fmt 0, two-byte basic header
            chunk[1] = (byte)i;                                    // chunk stream 64 + i
            BigEndian24.WriteUInt24(chunk[5..], (uint)limits.MaxMessageLength); // message length (timestamp 0)
            chunk[8] = (byte)RtmpMessageType.Video;
        }

        using var reader = new ChunkReader(limits);
        var input = new ReadOnlySequence<byte>(stream);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(reader.TryReadMessage(ref input, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, input.Length);
        Assert.True(allocated < 256 * 1024, $"{allocated} bytes allocated for {limits.MaxChunkStreams} first chunks of {ChunkReader.DefaultChunkSize} bytes");
    }

    [Fact]
    public void A_message_assembled_from_small_chunks_arrives_whole_and_the_next_one_of_that_size_allocates_nothing()
    {
        byte[] payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        writer.WriteMessage(output, 6, new MessageHeader(0, payload.Length, RtmpMessageType.Video, 1), payload);
        byte[] wire = output.WrittenSpan.ToArray();

        using var reader = new ChunkReader();
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            RtmpMessage message = default;
            bool complete = false;
            // One byte more at a time: the buffer grows as payload arrives and keeps what came before.
            int consumed = 0;
            for (int arrived = 1; arrived <= wire.Length; arrived++)
            {
                var input = new ReadOnlySequence<byte>(wire, consumed, arrived - consumed);
                complete = reader.TryReadMessage(ref input, out message);
                consumed = arrived - (int)input.Length;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(complete);
            Assert.Equal(payload, message.Payload.ToArray());
            if (round == 1)
            {
                Assert.True(allocated < 1024, $"{allocated} bytes allocated for a second message of the same size");
            }
        }
    }
}
