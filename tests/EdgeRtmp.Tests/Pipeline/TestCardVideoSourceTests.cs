using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>In the "pipeline timing" collection: pacing is measured, so these never share the CPU with the x264 of another.</summary>
[Collection("pipeline timing")]
public class TestCardVideoSourceTests
{
    [Fact]
    public async Task Starts_with_metadata_then_sequence_header_then_a_keyframe_and_is_paced_on_its_clock()
    {
        // A fake clock: the test moves time 34 ms at a time (each move makes one 33.3 ms picture due) and waits for
        // the picture, so the pacing is checked exactly, whatever the machine's load.
        var time = new FakeTimeProvider();
        var clock = new PipelineClock(time);
        var sink = new RecordingSink(clock);
        var source = new TestCardVideoSource(new TestCardOptions { Width = 640, Height = 360, FramesPerSecond = 30, KeyframeInterval = 30 }, clock);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        const int Pictures = 45;
        for (int picture = 1; picture <= Pictures; picture++)
        {
            Assert.True(await sink.WaitUntilAsync(frames => frames.Count == 2 + picture, TimeSpan.FromSeconds(30)), $"picture {picture} did not come");
            time.Advance(TimeSpan.FromMilliseconds(34));
        }

        Assert.True(await sink.WaitUntilAsync(frames => frames.Count == 2 + Pictures + 1, TimeSpan.FromSeconds(30)));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));

        var frames = sink.Frames;
        Assert.Equal(MediaKind.Data, frames[0].Kind);
        Assert.Equal(MediaFrameFlags.Metadata, frames[0].Flags);
        StreamMetadata metadata = StreamMetadata.Read(frames[0].Payload);
        Assert.Equal(640, metadata.Width);
        Assert.Equal(360, metadata.Height);
        Assert.Equal(30, metadata.FrameRate);
        Assert.Equal(7, metadata.VideoCodecId);
        Assert.Equal("EdgeRtmp", metadata.Encoder);

        Assert.True(frames[1].Flags.HasFlag(MediaFrameFlags.SequenceHeader));
        Assert.True(FlvPayload.IsVideoSequenceHeader(frames[1].Payload));
        Assert.Equal(MediaFrameFlags.Keyframe, frames[2].Flags);
        Assert.True(FlvPayload.IsVideoKeyframe(frames[2].Payload));
        Assert.Equal([0, 0, 0], frames.Take(3).Select(f => f.Batch));

        var pictures = frames.Skip(2).ToList();
        Assert.Equal(Pictures + 1, pictures.Count);
        for (int i = 0; i < pictures.Count; i++)
        {
            // Picture n is stamped n × 33.3 ms: never drifting, whenever it was made.
            Assert.Equal((uint)(i * 1000 / 30), pictures[i].Timestamp);

            // Made once due, never early, and at most one clock step late.
            double lateness = pictures[i].Arrival.TotalMilliseconds - pictures[i].Timestamp;
            Assert.InRange(lateness, 0, 34 + 1);
        }

        Assert.Equal(pictures.Count(p => p.Flags.HasFlag(MediaFrameFlags.Keyframe)), (pictures.Count + 29) / 30);
    }

    [Fact]
    public async Task After_a_stall_of_over_a_second_it_skips_the_pictures_missed_and_stays_on_its_frame_grid()
    {
        var time = new FakeTimeProvider();
        var clock = new PipelineClock(time);
        var sink = new RecordingSink(clock);
        var source = new TestCardVideoSource(new TestCardOptions { Width = 320, Height = 180, FramesPerSecond = 30 }, clock);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        Assert.True(await sink.WaitUntilAsync(frames => frames.Count == 3, TimeSpan.FromSeconds(30)), "picture 0 did not come");

        // Stalled for 2.51 s: pictures 1 to 74 were missed; picture 75 (2500 ms) is due, 76 not yet.
        time.Advance(TimeSpan.FromMilliseconds(2510));
        Assert.True(await sink.WaitUntilAsync(frames => frames.Count == 4, TimeSpan.FromSeconds(30)), "no picture after the stall");
        time.Advance(TimeSpan.FromMilliseconds(34));
        Assert.True(await sink.WaitUntilAsync(frames => frames.Count == 5, TimeSpan.FromSeconds(30)), "the pacing did not resume");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));

        // One picture for the stall, no burst, and every stamp n × 33.3 ms.
        Assert.Equal([0u, 2500u, 2533u], sink.Frames.Skip(2).Select(frame => frame.Timestamp));
    }

    [Fact]
    public void Producing_a_frame_allocates_nothing_in_steady_state()
    {
        var clock = new PipelineClock();
        // A pool of its own: the shared one is emptied now and then by tests running alongside.
        var source = new TestCardVideoSource(new TestCardOptions { Width = 640, Height = 360, FramesPerSecond = 30, KeyframeInterval = 30 }, clock, new MediaFramePool());
        var sink = new NullSink();
        for (int i = 0; i < 90; i++)
        {
            source.ProduceFrame(i, TimeSpan.FromMilliseconds(i * 33), TimeSpan.FromMilliseconds(i * 33), sink);
        }

        // Steady state is the smallest of three windows; a per-frame allocation shows in every window.
        int next = 90;
        long allocated = Allocations.LeastOf(3, () =>
        {
            for (int end = next + 100; next < end; next++)
            {
                source.ProduceFrame(next, TimeSpan.FromMilliseconds(next * 33), TimeSpan.FromMilliseconds(next * 33), sink);
            }
        });

        Assert.Equal(390 + 2, sink.Count);
        Assert.Equal(0, allocated);
    }
}
