using EdgeRtmp.Pipeline.Audio;

namespace EdgeRtmp.Tests.Pipeline.Audio;

public sealed class PcmFrameRingTests
{
    [Fact]
    public void Frames_come_out_in_order_with_their_times_and_the_ring_ends_when_completed_and_empty()
    {
        var ring = new PcmFrameRing(4, 3);
        Assert.True(ring.TryWrite([1, 2, 3], TimeSpan.FromMilliseconds(10)));
        Assert.True(ring.TryWrite([4, 5, 6], TimeSpan.FromMilliseconds(31)));
        ring.Complete();

        Assert.True(ring.TryTake(out ReadOnlySpan<short> frame, out TimeSpan presentation));
        Assert.Equal([1, 2, 3], frame.ToArray());
        Assert.Equal(TimeSpan.FromMilliseconds(10), presentation);
        ring.Release();
        Assert.True(ring.TryTake(out frame, out presentation));
        Assert.Equal([4, 5, 6], frame.ToArray());
        Assert.Equal(TimeSpan.FromMilliseconds(31), presentation);
        ring.Release();
        Assert.False(ring.TryTake(out _, out _));
        Assert.Equal(2, ring.HighWater);
    }

    [Fact]
    public void A_full_ring_refuses_and_counts_instead_of_making_capture_wait()
    {
        var ring = new PcmFrameRing(2, 1);
        Assert.True(ring.TryWrite([1], TimeSpan.Zero));
        Assert.True(ring.TryWrite([2], TimeSpan.Zero));

        Assert.False(ring.TryWrite([3], TimeSpan.Zero));
        Assert.Equal(1, ring.Refused);

        Assert.True(ring.TryTake(out ReadOnlySpan<short> frame, out _));
        Assert.Equal(1, frame[0]);
        ring.Release();
        Assert.True(ring.TryWrite([4], TimeSpan.Zero));
        Assert.True(ring.TryTake(out frame, out _));
        Assert.Equal(2, frame[0]);
        ring.Release();
        Assert.True(ring.TryTake(out frame, out _));
        Assert.Equal(4, frame[0]);
    }

    [Fact]
    public async Task Across_threads_every_frame_arrives_intact_once_and_neither_side_allocates()
    {
        const int Frames = 20_000;
        const int FrameLength = 1024;
        var ring = new PcmFrameRing(8, FrameLength);
        long consumerAllocated = -1;
        long sum = 0;
        int taken = 0;
        int torn = 0;
        Exception? failure = null;
        var consumer = new Thread(() =>
        {
          try
          {
            var windows = new AllocationWindows();
            while (ring.TryTake(out ReadOnlySpan<short> frame, out TimeSpan presentation))
            {
                windows.At(taken);
                if (frame[0] != frame[FrameLength - 1] || frame[0] != (short)presentation.Ticks)
                {
                    torn++; // (xunit's Assert allocates: counted, asserted afterwards)
                }

                sum += frame[0];
                taken++;
                ring.Release();
            }

            consumerAllocated = windows.Least();
          }
          catch (Exception exception)
          {
              failure = exception;
          }
        });
        consumer.Start();

        var block = new short[FrameLength];
        long written = 0;
        var producerWindows = new AllocationWindows();
        for (int i = 0; i < Frames; i++)
        {
            producerWindows.At(i);
            block.AsSpan().Fill((short)(i % 1000));
            while (!ring.TryWrite(block, TimeSpan.FromTicks(i % 1000)))
            {
                Thread.Yield(); // capture would drop it; here every frame must get through to be counted
            }

            written += i % 1000;
        }

        long producerAllocated = producerWindows.Least();
        ring.Complete();
        await Task.Run(() => consumer.Join(TimeSpan.FromSeconds(30)));

        Assert.Null(failure);
        Assert.Equal(Frames, taken);
        Assert.Equal(0, torn);
        Assert.Equal(written, sum);
        Assert.Equal(0, producerAllocated);
        Assert.Equal(0, consumerAllocated);
    }

    /// <summary>
    /// Bytes the current thread allocated in windows of 5,000 frames after a warm-up of 100, the least of them. The
    /// semaphore's lock is inflated once, by whichever thread first contends for it or waits on it, and when depends
    /// on the scheduling (under load, past any warm-up): a steady-state allocation shows in every window, that one in
    /// one only.
    /// </summary>
    private struct AllocationWindows()
    {
        private const int WarmUp = 100;
        private const int Window = 5_000;
        private long _least = long.MaxValue;
        private long _start = -1;

        /// <summary>Call before frame <paramref name="frame"/> (counting from 0) is handled.</summary>
        public void At(int frame)
        {
            if (frame >= WarmUp && (frame - WarmUp) % Window == 0)
            {
                Close();
                _start = GC.GetAllocatedBytesForCurrentThread();
            }
        }

        /// <summary>After the last frame: the least of the windows (the last one, however short, included).</summary>
        public long Least()
        {
            Close();
            return _least;
        }

        private void Close()
        {
            if (_start >= 0)
            {
                _least = Math.Min(_least, GC.GetAllocatedBytesForCurrentThread() - _start);
            }
        }
    }
}
