using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>In the "pipeline timing" collection: pacing is measured, so these never share the CPU with the x264 of another.</summary>
[Collection("pipeline timing")]
public class TestCardVideoSourceTests
{
    [Fact]
    public async Task Starts_with_metadata_then_sequence_header_then_a_keyframe_and_is_paced_in_real_time()
    {
        var sink = new RecordingSink();
        var source = new TestCardVideoSource(new TestCardOptions { Width = 640, Height = 360, FramesPerSecond = 30, KeyframeInterval = 30 }, sink.Clock);
        using var stop = new CancellationTokenSource();
        Task run = source.RunAsync(sink, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        double runMs = sink.Clock.Elapsed.TotalMilliseconds;
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

        var pictures = frames.Skip(2).ToList();
        for (int i = 1; i < pictures.Count; i++)
        {
            Assert.True(pictures[i].Timestamp > pictures[i - 1].Timestamp, $"timestamp {pictures[i].Timestamp} after {pictures[i - 1].Timestamp}");
            // Frame n is stamped n × 33.3 ms after the first: never drifting.
            Assert.InRange(pictures[i].Timestamp - pictures[0].Timestamp, (uint)(i * 1000 / 30), (uint)(i * 1000 / 30) + 1);
        }

        // About 1.5 s at 30 fps (however late the test's own delay fired): one picture per 33.3 ms of the run,
        // never more than were due, a few fewer if the machine stalled the source near the end.
        int due = (int)(runMs * 30 / 1000) + 1;
        Assert.InRange(pictures.Count, due - 5, due + 1);
        Assert.Equal(pictures.Count(p => p.Flags.HasFlag(MediaFrameFlags.Keyframe)), (pictures.Count + 29) / 30);

        // Paced: pictures leave at their timestamps (never early); a shared 2-core test machine (x264 running in the exec test) may stall some for a while.
        var lateness = pictures.Select(p => p.Arrival.TotalMilliseconds - p.Timestamp).Order().ToList();
        Assert.True(lateness[0] >= -1, $"a picture left {-lateness[0]} ms early");
        Assert.True(lateness[lateness.Count / 2] < 50, $"median lateness {lateness[lateness.Count / 2]} ms");
        Assert.True(lateness[lateness.Count * 9 / 10] < 1000, $"90th percentile lateness {lateness[lateness.Count * 9 / 10]} ms");
    }

    [Fact]
    public void Producing_a_frame_allocates_nothing_in_steady_state()
    {
        var clock = new PipelineClock();
        var source = new TestCardVideoSource(new TestCardOptions { Width = 640, Height = 360, FramesPerSecond = 30, KeyframeInterval = 30 }, clock);
        var sink = new NullSink();
        for (int i = 0; i < 90; i++)
        {
            source.ProduceFrame(i, TimeSpan.FromMilliseconds(i * 33), TimeSpan.FromMilliseconds(i * 33), sink);
        }

        // Steady state is the smallest of three windows: frame buffers come from process-wide pools that other
        // tests running in parallel also draw on, so one window may pay for a pool miss; a per-frame allocation
        // shows in every window.
        long allocated = long.MaxValue;
        int next = 90;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int end = next + 100; next < end; next++)
            {
                source.ProduceFrame(next, TimeSpan.FromMilliseconds(next * 33), TimeSpan.FromMilliseconds(next * 33), sink);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(390 + 2, sink.Count);
        Assert.Equal(0, allocated);
    }
}
