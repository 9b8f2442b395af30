using EdgeRtmp.Media;
using EdgeRtmp.Protocol.Chunking;

namespace EdgeRtmp.Media.Tests.Frames;

public class MediaFramePoolTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(512, 0)]
    [InlineData(513, 1)]
    [InlineData(1024, 1)]
    [InlineData(1025, 2)]
    [InlineData(65_536, 7)]
    [InlineData(1024 * 1024, 11)]
    [InlineData(1024 * 1024 + 1, -1)]
    public void Sizes_fall_into_power_of_two_classes(int length, int sizeClass) =>
        Assert.Equal(sizeClass, MediaFramePool.SizeClassOf(length));

    [Fact]
    public void A_frame_holds_a_copy_of_its_payload_and_returns_to_its_pool_on_the_last_release()
    {
        var pool = new MediaFramePool();
        byte[] payload = [0x17, 1, 2, 3];
        MediaFrame frame = pool.Rent(MediaKind.Video, 40, MediaFrameFlags.Keyframe, payload);
        payload[2] = 99;
        Assert.Equal([0x17, 1, 2, 3], frame.Span.ToArray());
        Assert.Equal(40u, frame.Timestamp);
        Assert.True(frame.IsKeyframe);

        frame.AddReference();
        frame.Release();
        Assert.Equal(0, pool.RetainedBytes);
        frame.Release();
        Assert.Equal(MediaFramePool.SmallestClassLength, pool.RetainedBytes);

        MediaFrame again = pool.Rent(MediaKind.Audio, 80, MediaFrameFlags.None, [0xAF, 1]);
        Assert.Same(frame, again);
        Assert.Equal(MediaKind.Audio, again.Kind);
        Assert.Equal([0xAF, 1], again.Span.ToArray());
        Assert.False(again.IsKeyframe);
        again.Release();
    }

    [Fact]
    public void Releasing_more_often_than_referenced_is_an_error()
    {
        var pool = new MediaFramePool();
        MediaFrame frame = pool.Rent(MediaKind.Audio, 0, MediaFrameFlags.None, [1]);
        frame.Release();
        Assert.Throws<InvalidOperationException>(frame.Release);
    }

    [Fact]
    public void The_chunked_body_is_built_once_and_shared_by_requests_with_the_same_parameters()
    {
        var pool = new MediaFramePool();
        byte[] payload = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        MediaFrame frame = pool.Rent(MediaKind.Video, 1000, MediaFrameFlags.None, payload);

        Assert.True(frame.TryGetChunkedBody(4096, 6, 1000, out ArraySegment<byte> first));
        Assert.True(frame.TryGetChunkedBody(4096, 6, 1000, out ArraySegment<byte> second));
        Assert.Same(first.Array, second.Array);
        int length = ChunkWriter.ChunkedBodyLength(payload.Length, 4096, 6, 1000);
        byte[] expected = new byte[length];
        ChunkWriter.WriteChunkedBody(expected, payload, 4096, 6, 1000);
        Assert.Equal(expected, first.ToArray());

        // Other parameters: the caller builds its own.
        Assert.False(frame.TryGetChunkedBody(128, 6, 1000, out _));

        // A payload within one chunk is its own body.
        MediaFrame small = pool.Rent(MediaKind.Audio, 0, MediaFrameFlags.None, [0xAF, 1, 2]);
        Assert.True(small.TryGetChunkedBody(4096, 4, 0, out ArraySegment<byte> own));
        Assert.Equal([0xAF, 1, 2], own.ToArray());
        small.Release();

        // A reused frame builds its body afresh for its new payload.
        frame.Release();
        byte[] other = Enumerable.Range(0, 9000).Select(i => (byte)(i * 7)).ToArray();
        MediaFrame reused = pool.Rent(MediaKind.Video, 2000, MediaFrameFlags.None, other);
        Assert.Same(frame, reused);
        Assert.True(reused.TryGetChunkedBody(128, 6, 2000, out ArraySegment<byte> rebuilt));
        byte[] expectedOther = new byte[ChunkWriter.ChunkedBodyLength(other.Length, 128, 6, 2000)];
        ChunkWriter.WriteChunkedBody(expectedOther, other, 128, 6, 2000);
        Assert.Equal(expectedOther, rebuilt.ToArray());
        reused.Release();
    }

    /// <summary>
    /// What a GOP cache does to the pool: a GOP of interleaved audio, P frames and one large keyframe is held, then
    /// all of it comes back at once. From the second GOP on, that must cost no allocation, and the pool keeps
    /// about what one GOP needs, not more.
    /// </summary>
    [Fact]
    public void Gop_sized_churn_of_mixed_frame_sizes_allocates_nothing_after_the_first_gop()
    {
        var pool = new MediaFramePool();
        byte[] source = new byte[200_000];
        new Random(7).NextBytes(source);
        var held = new List<MediaFrame>(256);

        var random = new Random(1);
        long gopBytes = RunGop(pool, source, held, random);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int gop = 2; gop <= 20; gop++)
        {
            RunGop(pool, source, held, random);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"19 GOPs allocated {allocated} bytes");

        // Power-of-two classes at most double the payload; chunked bodies add about as much again.
        Assert.True(pool.RetainedBytes <= 5 * gopBytes, $"the pool keeps {pool.RetainedBytes} bytes for a GOP of {gopBytes}");
    }

    [Fact]
    public void Each_class_keeps_a_bounded_number_of_bytes_and_oversized_frames_are_not_kept()
    {
        var pool = new MediaFramePool();
        var held = new List<MediaFrame>();
        for (int i = 0; i < 40; i++)
        {
            held.Add(pool.Rent(MediaKind.Video, 0, MediaFrameFlags.None, 1024 * 1024, 0, static (_, _) => { }));
        }

        held.Add(pool.Rent(MediaKind.Video, 0, MediaFrameFlags.None, 3 * 1024 * 1024, 0, static (_, _) => { }));
        foreach (MediaFrame frame in held)
        {
            frame.Release();
        }

        Assert.Equal(MediaFramePool.MaxRetainedBytesPerClass, pool.RetainedBytes);
    }

    /// <summary>
    /// One GOP: a keyframe, 59 P frames of three typical sizes and the audio between them, in a random order of sizes
    /// and with lengths that vary within each size class, so each GOP needs as many frames of each class as the last.
    /// </summary>
    private static long RunGop(MediaFramePool pool, byte[] source, List<MediaFrame> held, Random random)
    {
        long bytes = 0;
        held.Add(Rent(MediaKind.Video, Jitter(150_000)));
        for (int i = 1; i < 60; i++)
        {
            held.Add(Rent(MediaKind.Video, Jitter((i % 3) switch { 0 => 12_000, 1 => 20_000, _ => 40_000 })));
            for (int a = 0; a < (i % 3 == 0 ? 1 : 2); a++)
            {
                held.Add(Rent(MediaKind.Audio, random.Next(300, 420)));
            }
        }

        foreach (MediaFrame frame in held)
        {
            frame.Release();
        }

        held.Clear();
        return bytes;

        int Jitter(int length) => length + random.Next(-length / 10, length / 10);

        MediaFrame Rent(MediaKind kind, int length)
        {
            bytes += length;
            MediaFrame frame = pool.Rent(kind, 0, MediaFrameFlags.None, source.AsSpan(0, length));
            frame.TryGetChunkedBody(4096, kind == MediaKind.Video ? 6 : 4, 0, out _);
            return frame;
        }
    }
}
