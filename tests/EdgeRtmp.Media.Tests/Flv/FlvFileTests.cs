using System.Buffers;
using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Media.Tests.Flv;

public class FlvFileTests
{
    [Fact]
    public async Task File_writer_output_reads_back_through_the_file_reader()
    {
        var stream = new MemoryStream();
        await using (var writer = new FlvFileWriter(stream, leaveOpen: true, flushThreshold: 100))
        {
            await writer.WriteHeaderAsync(hasAudio: true, hasVideo: false, onMetaData: new byte[] { 2, 0, 1, (byte)'x' });
            for (uint i = 0; i < 50; i++)
            {
                await writer.WriteTagAsync(FlvTagType.Audio, i * 23, new byte[] { 0xAF, 1, (byte)i });
            }

            Assert.Equal(13 + (11 + 4 + 4) + 50 * (11 + 3 + 4), writer.BytesWritten);
        }

        stream.Position = 0;
        using var reader = new FlvFileReader(stream);
        Assert.Equal(new FlvHeader(hasAudio: true, hasVideo: false), await reader.ReadHeaderAsync());
        Assert.True(await reader.ReadTagAsync());
        Assert.Equal(FlvTagType.Script, reader.Current.TagType);
        Assert.Equal(new byte[] { 2, 0, 1, (byte)'x' }, reader.Current.Payload.ToArray());
        for (uint i = 0; i < 50; i++)
        {
            Assert.True(await reader.ReadTagAsync());
            Assert.Equal(i * 23, reader.Current.Timestamp);
            Assert.True(reader.Current.Payload.IsSingleSegment);
            Assert.Equal((byte)i, reader.Current.Payload.FirstSpan[2]);
        }

        Assert.False(await reader.ReadTagAsync());
        Assert.False(await reader.ReadTagAsync());
    }

    [Fact]
    public async Task File_reader_grows_its_buffer_for_a_tag_larger_than_it()
    {
        byte[] big = new byte[FlvFileReader.DefaultBufferSize * 3 + 17];
        new Random(5).NextBytes(big);
        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, false, true);
        FlvWriter.WriteTag(output, FlvTagType.Video, 1, [0x17, 1, 0, 0, 0]);
        FlvWriter.WriteTag(output, FlvTagType.Video, 2, big);
        FlvWriter.WriteTag(output, FlvTagType.Video, 3, [0x27, 1, 0, 0, 0]);

        using var reader = new FlvFileReader(new MemoryStream(output.WrittenSpan.ToArray()));
        Assert.True(await reader.ReadTagAsync());
        Assert.True(await reader.ReadTagAsync());
        Assert.Equal(big, reader.Current.Payload.ToArray());
        Assert.True(await reader.ReadTagAsync());
        Assert.Equal(3u, reader.Current.Timestamp);
        Assert.False(await reader.ReadTagAsync());
    }

    [Fact]
    public async Task Loop_reader_keeps_timestamps_increasing_across_loops()
    {
        // 1 s of 25 fps video and ~43 Hz audio starting at 0: video 0..960, audio 0..989.
        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, true, true);
        FlvWriter.WriteTag(output, FlvTagType.Video, 0, [0x17, 0, 0, 0, 0]);
        FlvWriter.WriteTag(output, FlvTagType.Audio, 0, [0xAF, 0, 0x12, 0x10]);
        for (uint t = 0; t < 1000; t++)
        {
            if (t % 40 == 0)
            {
                FlvWriter.WriteTag(output, FlvTagType.Video, t, [t == 0 ? (byte)0x17 : (byte)0x27, 1, 0, 0, 0]);
            }

            if (t % 23 == 0)
            {
                FlvWriter.WriteTag(output, FlvTagType.Audio, t, [0xAF, 1, 0]);
            }
        }

        using var reader = new FlvLoopReader(new MemoryStream(output.WrittenSpan.ToArray()));
        uint lastVideo = 0;
        uint lastAudio = 0;
        int videoFrames = 0;
        while (reader.LoopCount < 3)
        {
            Assert.True(await reader.ReadTagAsync());
            FlvTag tag = reader.Current;
            if (FlvPayload.IsVideoSequenceHeader(tag.Payload.FirstSpan) || FlvPayload.IsAudioSequenceHeader(tag.Payload.FirstSpan))
            {
                continue;
            }

            ref uint last = ref tag.TagType == FlvTagType.Video ? ref lastVideo : ref lastAudio;
            Assert.True(tag.Timestamp > last || (tag.Timestamp == 0 && reader.LoopCount == 0), $"{tag} after {last} in loop {reader.LoopCount}");
            last = tag.Timestamp;
            videoFrames += tag.TagType == FlvTagType.Video ? 1 : 0;
        }

        // The offset is the previous pass's span (989 ms) plus one video frame interval (40 ms) per loop.
        Assert.Equal(3 * (989u + 40u), reader.TimestampOffset);
        Assert.Equal(3 * 25, videoFrames);
        Assert.Equal(3 * 1029u, reader.Current.Timestamp);
    }

    [Fact]
    public async Task Loop_reader_over_a_file_without_tags_ends_instead_of_spinning()
    {
        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, true, true);
        using var reader = new FlvLoopReader(new MemoryStream(output.WrittenSpan.ToArray()));
        Assert.False(await reader.ReadTagAsync());
    }

    [Fact]
    public void Loop_reader_refuses_a_stream_that_cannot_seek()
    {
        var error = Assert.Throws<ArgumentException>(() => new FlvLoopReader(new UnseekableStream()));
        Assert.Contains("seekable", error.Message);
    }

    [Fact]
    public void File_reader_and_writer_allocate_nothing_per_tag_after_warm_up()
    {
        const int TagCount = 5000;
        var random = new Random(7);
        var payloads = new byte[16][];
        for (int i = 0; i < payloads.Length; i++)
        {
            payloads[i] = new byte[random.Next(5, 30_000)];
            random.NextBytes(payloads[i]);
            payloads[i][0] = i % 2 == 0 ? (byte)0x27 : (byte)0xAF;
        }

        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, true, true);
        for (int i = 0; i < TagCount; i++)
        {
            FlvWriter.WriteTag(output, i % 2 == 0 ? FlvTagType.Video : FlvTagType.Audio, (uint)(i * 20), payloads[i % payloads.Length]);
        }

        byte[] file = output.WrittenSpan.ToArray();
        using var reader = new FlvFileReader(new MemoryStream(file, writable: false));
        var target = new MemoryStream(new byte[file.Length + 4096]); // fixed capacity: the stream itself never allocates
        var writer = new FlvFileWriter(target, leaveOpen: true);
        long checksum = 0;

        int Copy()
        {
            reader.Rewind();
            target.Position = 0;
            Wait(writer.WriteHeaderAsync(true, true));
            int tags = 0;
            while (Wait(reader.ReadTagAsync()))
            {
                FlvTag tag = reader.Current;
                checksum += tag.Payload.FirstSpan[0] + tag.Timestamp;
                Wait(writer.WriteTagAsync(tag));
                tags++;
            }

            Wait(writer.FlushAsync());
            return tags;
        }

        Assert.Equal(TagCount, Copy());
        Assert.Equal(TagCount, Copy()); // a second pass: the first one-off runtime allocations (40 B) land in it, not in the measured one
        long before = GC.GetAllocatedBytesForCurrentThread();
        int copied = Copy();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(TagCount, copied);
        Assert.True(checksum > 0);
        Assert.Equal(file, target.ToArray()[..file.Length]);
        Assert.Equal(0, allocated);
    }

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }

    private sealed class UnseekableStream : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
