using EdgeRtmp.Media.Audio;
using Xunit.Abstractions;

namespace EdgeRtmp.Media.Tests.Audio;

/// <summary>
/// Lip sync under a simulated capture device whose clock runs off ours: time is computed, never waited for. The
/// device's samples carry their own index (mono, the index modulo 2^16), so each output frame says which captured
/// sample it starts with and so when that sample was really captured: the A/V offset is measured end to end.
/// </summary>
public sealed class AudioTimelineTests(ITestOutputHelper output)
{
    private const int Rate = 48_000;
    private const int Block = 1024;

    [Theory]
    [InlineData(200)]
    [InlineData(-200)]
    [InlineData(0)]
    public void TenMinutesOfDriftingClockStayWithin25Milliseconds(double driftPpm)
    {
        var run = Simulate(driftPpm, TimeSpan.FromMinutes(10), overrunEveryBlocks: 0);
        output.WriteLine(
            $"drift {driftPpm} ppm: worst offset {run.MaxOffsetMs:0.00} ms, after 10 min {run.FinalOffsetMs:0.00} ms, measured drift " +
            $"{run.Timeline.DriftPpm:0.0} ppm, {run.Timeline.DroppedSamples} dropped, {run.Timeline.InsertedSamples} inserted, closest corrections {run.ClosestCorrections} samples apart");

        Assert.True(run.MaxOffsetMs < 25, $"worst A/V offset {run.MaxOffsetMs:0.0} ms");
        // The controller's steady offset is drift × 4 s, under a millisecond; jitter spikes are filtered.
        Assert.True(run.FinalOffsetMs is > -5 and < 5, $"offset after 10 min {run.FinalOffsetMs:0.00} ms");
        Assert.InRange(run.Timeline.DriftPpm, driftPpm - 25, driftPpm + 25);
        long expectedChanges = (long)Math.Abs(driftPpm * 1e-6 * Rate * 600);
        long changes = driftPpm >= 0 ? run.Timeline.DroppedSamples : run.Timeline.InsertedSamples;
        // With no drift the changes are the controller answering jitter, a few milliseconds' worth both ways.
        Assert.InRange(changes, expectedChanges * 0.9, (expectedChanges * 1.1) + 300);
        Assert.Equal(0, run.Timeline.Steps);
        // Never a jump: consecutive samples differ by one (kept), zero (a sample inserted) or two (one dropped).
        Assert.Equal(0, run.Jumps);
        // Spread out: at 200 ppm one change per ~5000 samples, never two within a few hundred.
        if (driftPpm != 0)
        {
            Assert.True(run.ClosestCorrections >= 400, $"two corrections {run.ClosestCorrections} samples apart");
        }
    }

    [Fact]
    public void AnOverrunMovesTheStampsForwardNeverBack()
    {
        var run = Simulate(150, TimeSpan.FromMinutes(2), overrunEveryBlocks: 1000);

        Assert.True(run.Timeline.Steps >= 5, $"{run.Timeline.Steps} steps");
        Assert.True(run.MaxOffsetMs < 25, $"worst A/V offset {run.MaxOffsetMs:0.0} ms");
    }

    [Fact]
    public void ABurstAheadOfTheClockIsDroppedNotStampedIntoTheFuture()
    {
        var timeline = new AudioTimeline(Rate, 1);
        var block = new short[Block];
        var frame = new short[Block];
        timeline.Append(block, TimeSpan.FromMilliseconds(21.333));
        // Ten blocks arrive at once, 200 ms of audio in no time.
        for (int i = 0; i < 10; i++)
        {
            timeline.Append(block, TimeSpan.FromMilliseconds(25));
        }

        Assert.True(timeline.Steps >= 1);
        Assert.True(timeline.DroppedSamples > 4 * Block);
        TimeSpan last = TimeSpan.MinValue;
        while (timeline.TryReadFrame(frame, out TimeSpan at))
        {
            Assert.True(at > last);
            Assert.True(at <= TimeSpan.FromMilliseconds(25) + AudioTimeline.StepThreshold, $"frame stamped {at.TotalMilliseconds} ms");
            last = at;
        }
    }

    [Fact]
    public void SteadyStateTakesNoAllocation()
    {
        var timeline = new AudioTimeline(Rate, 2);
        var block = new short[Block * 2];
        var frame = new short[Block * 2];
        double devicePeriod = Block / (Rate * 1.0002);
        for (int n = 1; n <= 200; n++)
        {
            timeline.Append(block, TimeSpan.FromSeconds(n * devicePeriod));
            _ = timeline.TryReadFrame(frame, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int n = 201; n <= 2000; n++)
        {
            timeline.Append(block, TimeSpan.FromSeconds(n * devicePeriod));
            _ = timeline.TryReadFrame(frame, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(timeline.DroppedSamples > 0);
    }

    private sealed record Run(AudioTimeline Timeline, double MaxOffsetMs, double FinalOffsetMs, int Jumps, long ClosestCorrections);

    /// <summary>
    /// A device at <c>Rate × (1 + drift)</c> delivering 1024-frame blocks, each read 0–4 ms after its last sample
    /// (scheduling jitter), one in 500 read 60 ms late with the next ones queued behind it; optionally an overrun
    /// that loses 8 blocks.
    /// </summary>
    private static Run Simulate(double driftPpm, TimeSpan length, int overrunEveryBlocks)
    {
        double deviceRate = Rate * (1 + (driftPpm * 1e-6));
        var timeline = new AudioTimeline(Rate, 1);
        var block = new short[Block];
        var frame = new short[Block];
        var random = new Random(1234);
        long captured = 0;
        double lastRead = 0;
        double maxOffset = 0, finalOffset = 0;
        long expectedIndex = 0;
        long previousSample = -1;
        long lastCorrection = long.MinValue / 2, closest = long.MaxValue, outputPosition = 0;
        int jumps = 0;
        TimeSpan lastStamp = TimeSpan.MinValue;
        long blocks = (long)(length.TotalSeconds * deviceRate / Block);
        for (long n = 0; n < blocks; n++)
        {
            if (overrunEveryBlocks > 0 && n > 0 && n % overrunEveryBlocks == 0)
            {
                captured += 8 * Block;
                previousSample = -1;
            }

            for (int i = 0; i < Block; i++)
            {
                block[i] = unchecked((short)(captured + i));
            }

            captured += Block;
            double capturedEnd = captured / deviceRate;
            double delay = random.NextDouble() * 0.004 + (n % 500 == 499 ? 0.060 : 0);
            double readAt = Math.Max(lastRead, capturedEnd + delay);
            lastRead = readAt;
            timeline.Append(block, TimeSpan.FromSeconds(readAt));

            while (timeline.TryReadFrame(frame, out TimeSpan stamp))
            {
                Assert.True(stamp > lastStamp, $"stamp {stamp.TotalMilliseconds} ms after {lastStamp.TotalMilliseconds} ms");
                lastStamp = stamp;
                long index = Unwrap(frame[0], expectedIndex);
                if (overrunEveryBlocks > 0 && frame[Block - 1] == 0)
                {
                    previousSample = -1;
                }

                double offset = stamp.TotalSeconds - (index / deviceRate);
                maxOffset = Math.Max(maxOffset, Math.Abs(offset));
                finalOffset = offset;
                for (int i = 0; i < Block; i++)
                {
                    long sample = Unwrap(frame[i], expectedIndex + i);
                    if (previousSample >= 0)
                    {
                        long step = sample - previousSample;
                        if (step is < 0 or > 2)
                        {
                            jumps++;
                        }
                        else if (step != 1)
                        {
                            closest = Math.Min(closest, outputPosition - lastCorrection);
                            lastCorrection = outputPosition;
                        }
                    }

                    previousSample = sample;
                    outputPosition++;
                }

                // From the first sample: the last may be the silence that pads the frame before an overrun's gap.
                expectedIndex = index + Block;
            }
        }

        return new Run(timeline, maxOffset * 1000, finalOffset * 1000, jumps, closest);
    }

    /// <summary>The full index whose low 16 bits are <paramref name="low"/>, nearest to <paramref name="near"/>.</summary>
    private static long Unwrap(short low, long near)
    {
        long candidate = (near & ~0xFFFFL) | (ushort)low;
        if (candidate - near > 0x8000)
        {
            candidate -= 0x10000;
        }
        else if (near - candidate > 0x8000)
        {
            candidate += 0x10000;
        }

        return candidate;
    }
}
