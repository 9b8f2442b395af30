using System.Buffers;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Messages;

namespace EdgeRtmp.Protocol.Tests.Chunking;

public class ChunkAllocationTests
{
    [Theory]
    [InlineData(128)]
    [InlineData(4096)]
    public void Writing_and_reading_10000_media_messages_allocates_nothing_after_warm_up(int chunkSize)
    {
        var writer = new ChunkWriter();
        var reader = new ChunkReader();
        var output = new ArrayBufferWriter<byte>(1 << 20);
        ProtocolControl.WriteSetChunkSize(writer, output, chunkSize);
        var setup = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(reader.TryReadMessage(ref setup, out _));

        byte[] video = new byte[20_000];
        byte[] audio = new byte[300];
        new Random(3).NextBytes(video);
        long checksum = 0;

        void Exchange(int count, uint start)
        {
            for (int i = 0; i < count; i++)
            {
                output.ResetWrittenCount();
                uint timestamp = start + (uint)(i * 33);
                bool isVideo = i % 3 != 0;
                // Cross 0xFFFFFF on the way so extended timestamps are in the measured loop too.
                writer.WriteMessage(output, isVideo ? ChunkStreamIds.Video : ChunkStreamIds.Audio,
                    new MessageHeader(timestamp, isVideo ? video.Length - (i % 7) : audio.Length, isVideo ? RtmpMessageType.Video : RtmpMessageType.Audio, 1),
                    isVideo ? video.AsSpan(0, video.Length - (i % 7)) : audio);
                var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
                if (!reader.TryReadMessage(ref buffer, out RtmpMessage message) || buffer.Length != 0)
                {
                    throw new InvalidOperationException($"message {i} did not read back whole");
                }

                checksum += message.Payload.Length + message.Payload.Span[^1];
            }
        }

        Exchange(2_000, 0xFFFFFF - 2_000 * 33);

        // Steady state is the smallest of three windows: the runtime may still tier up a method in the first
        // (a one-off of a few bytes); an allocation per message shows in every window.
        long allocated = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Exchange(10_000, 0xFFFFFF - 5_000 * 33);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(checksum > 0);
        Assert.Equal(0, allocated);
    }
}
