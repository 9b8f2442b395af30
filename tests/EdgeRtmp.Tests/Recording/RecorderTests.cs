using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Recording;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Recording;

public sealed class RecorderTests : IClassFixture<RecorderTests.Source>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly Source _source;

    public RecorderTests(Source source) => _source = source;

    [Fact]
    public void Sixty_seconds_with_ten_second_segments_give_six_files_that_ffprobe_reads_each_starting_at_a_keyframe()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        using (var recorder = NewRecorder(directory.Path, time))
        {
            Feed(recorder, time, _source.Frames);
        }

        string[] files = Directory.GetFiles(directory.Path, "*.flv").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            ["2026-12-02T10-00-00Z.flv", "2026-12-02T10-00-10Z.flv", "2026-12-02T10-00-20Z.flv", "2026-12-02T10-00-30Z.flv", "2026-12-02T10-00-40Z.flv", "2026-12-02T10-00-50Z.flv"],
            files.Select(Path.GetFileName));
        foreach (string file in files)
        {
            double duration = RecordingTools.Duration(file);
            Assert.True(Math.Abs(duration - 10) < 0.25, $"{Path.GetFileName(file)} lasts {duration} s, not 10");
            Assert.Equal("1", RecordingTools.FirstVideoFrame(file));
        }
    }

    [Fact]
    public void Below_the_free_space_floor_recording_stops_once_with_a_fault_and_resumes_when_space_is_back()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        long free = 100;
        var faults = new List<bool>();
        using var recorder = new Recorder(Options(directory.Path), time, NullLogger.Instance, _ => free, writerThread: false);
        recorder.FaultChanged += faults.Add;
        Feed(recorder, time, _source.Frames.Take(_source.Frames.Count / 3));
        Assert.Empty(Directory.GetFiles(directory.Path));
        Assert.Equal([true], faults);
        Assert.Equal("recording stopped: disk nearly full", recorder.Status);

        free = long.MaxValue;
        Feed(recorder, time, _source.Frames.Skip(_source.Frames.Count / 3));
        Assert.Equal([true, false], faults);
        Assert.NotEmpty(Directory.GetFiles(directory.Path));
        Assert.Equal("recording", recorder.Status);
    }

    [Fact]
    public async Task Writing_goes_on_while_an_fsync_hangs_and_the_segment_is_completed_when_it_returns()
    {
        // A card stalled in its journal: the first fsync hangs until the test lets it go. A writer that waited for it
        // would not come back from the frames after it (bounded by the timeout, not hanging the run).
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        using var syncing = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim(false);
        var syncer = new SegmentSyncer(NullLogger.Instance, segment =>
        {
            syncing.Release();
            release.Wait();
            segment.Sync();
        }, ownThread: true);
        var recorder = new Recorder(Options(directory.Path), time, NullLogger.Instance, _ => long.MaxValue, writerThread: false, syncer);
        var hub = new StreamHub("live/cam");
        string file;
        try
        {
            await Task.Run(() => Feed(recorder, time, _source.Frames.Where(f => f.Timestamp < 2_500))).WaitAsync(s_timeout);
            Assert.True(await syncing.WaitAsync(s_timeout), "no fsync was asked for after two seconds of recording");

            await Task.Run(() =>
            {
                Feed(recorder, time, _source.Frames.Where(f => f.Timestamp is >= 2_500 and < 6_000 && !f.IsSequenceHeader && !f.IsMetadata));
                recorder.OnPublishStop(hub);
                recorder.Drain();
            }).WaitAsync(s_timeout);

            // Everything is in the file and the segment is closed, while the fsync still hangs: its duration is unset.
            Assert.Null(recorder.CurrentSegment);
            file = Assert.Single(Directory.GetFiles(directory.Path, "*.flv"));
            Assert.Equal(0, MetadataDuration(file));
            Assert.InRange(RecordingTools.Duration(file), 5.9, 6.0);
            Assert.Equal(0, recorder.DroppedFrames);
        }
        finally
        {
            release.Set();
            recorder.Dispose();
        }

        Assert.InRange(MetadataDuration(file), 5.9, 6.0);
    }

    [Fact]
    public void Retention_keeps_the_newest_segments_within_MaxBytes()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        long segmentBytes;
        using (var first = NewRecorder(directory.Path, time))
        {
            Feed(first, time, _source.Frames.Where(f => f.Timestamp < 11_000 || f.IsSequenceHeader || f.IsMetadata));
        }

        segmentBytes = new FileInfo(Directory.GetFiles(directory.Path).Order(StringComparer.Ordinal).First()).Length;
        using var directoryLimited = new TempDirectory();
        var options = Options(directoryLimited.Path) with { MaxBytes = (segmentBytes * 5) / 2 };
        using (var recorder = new Recorder(options, time, NullLogger.Instance, _ => long.MaxValue, writerThread: false))
        {
            Feed(recorder, time, _source.Frames);
        }

        string[] kept = Directory.GetFiles(directoryLimited.Path, "*.flv").Order(StringComparer.Ordinal).Select(Path.GetFileName).ToArray()!;
        Assert.True(kept.Length is 2 or 3, $"kept {kept.Length}: {string.Join(", ", kept)}");
        Assert.EndsWith("10-00-50Z.flv", kept[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(kept, name => name.EndsWith("10-00-00Z.flv", StringComparison.Ordinal));
    }

    [Fact]
    public void Switching_recording_off_closes_the_segment_and_on_again_starts_a_new_one_at_a_keyframe()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        using var recorder = NewRecorder(directory.Path, time);
        var frames = _source.Frames;
        Feed(recorder, time, frames.Where(f => f.Timestamp < 3_000 || f.IsSequenceHeader || f.IsMetadata));
        recorder.SetEnabled(false);
        recorder.Drain();
        Assert.Null(recorder.CurrentSegment);
        Feed(recorder, time, frames.Where(f => f.Timestamp is >= 3_000 and < 5_050 && !f.IsSequenceHeader && !f.IsMetadata));
        recorder.SetEnabled(true);
        Feed(recorder, time, frames.Where(f => f.Timestamp is >= 5_050 and < 8_000 && !f.IsSequenceHeader && !f.IsMetadata));
        recorder.Dispose();

        string[] files = Directory.GetFiles(directory.Path, "*.flv").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, files.Length);
        Assert.True(RecordingTools.StartsWithKeyframe(files[1]));
        Assert.InRange(RecordingTools.Duration(files[1]), 1.5, 3.0);
    }

    [Fact]
    public void While_recording_is_off_the_recorder_is_not_the_hubs_subscriber_and_switched_on_it_starts_at_the_cached_keyframe()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(Start);
        var hub = new StreamHub("live/cam");
        object source = new();
        Assert.True(hub.TryStartPublishing(source));
        using var recorder = new Recorder(Options(directory.Path) with { Enabled = false }, time, NullLogger.Instance, _ => long.MaxValue, writerThread: false);
        recorder.Attach(hub);

        // Off: the hub has no subscriber to hand its frames to, so the recorder's thread is never woken by them.
        Assert.Equal(0, hub.SubscriberCount);
        Assert.False(recorder.IsSubscribed);
        FeedHub(hub, source, recorder, time, _source.Frames.Where(f => f.Timestamp < 3_000));
        Assert.Empty(Directory.GetFiles(directory.Path));

        // On: subscribed, and the hub's cache (headers, the GOP so far) starts the segment at its keyframe.
        recorder.SetEnabled(true);
        Assert.Equal(1, hub.SubscriberCount);
        Assert.True(recorder.IsSubscribed);
        FeedHub(hub, source, recorder, time, _source.Frames.Where(f => f.Timestamp is >= 3_000 and < 6_000 && !f.IsSequenceHeader && !f.IsMetadata));
        Assert.NotNull(recorder.CurrentSegment);

        // Off again: the segment closes and the recorder leaves the hub.
        recorder.SetEnabled(false);
        recorder.Drain();
        Assert.Equal(0, hub.SubscriberCount);
        Assert.Null(recorder.CurrentSegment);
        FeedHub(hub, source, recorder, time, _source.Frames.Where(f => f.Timestamp is >= 6_000 and < 9_000 && !f.IsSequenceHeader && !f.IsMetadata));

        string file = Assert.Single(Directory.GetFiles(directory.Path, "*.flv"));
        Assert.True(RecordingTools.StartsWithKeyframe(file));
        Assert.InRange(RecordingTools.Duration(file), 2.9, 6.0);
        recorder.Detach();
        Assert.Equal(0, hub.SubscriberCount);
        hub.StopPublishing(source);
    }

    /// <summary>Writes frames through the hub, one batch each, and lets the recorder drain after each, as its thread would.</summary>
    private static void FeedHub(StreamHub hub, object source, Recorder recorder, FakeTimeProvider time, IEnumerable<MediaFrame> frames)
    {
        foreach (MediaFrame frame in frames)
        {
            DateTimeOffset at = Start + TimeSpan.FromMilliseconds(frame.Timestamp);
            if (at > time.GetUtcNow())
            {
                time.SetUtcNow(at);
            }

            hub.Write(source, frame);
            recorder.Drain();
        }
    }

    /// <summary>The segment's own onMetaData duration (FlvSegmentFile writes it at completion): after the FLV header, the tag header and 29 bytes of body.</summary>
    private static double MetadataDuration(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return System.Buffers.Binary.BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(13 + 11 + 29, sizeof(double)));
    }

    private static Recorder NewRecorder(string directory, FakeTimeProvider time) =>
        new(Options(directory), time, NullLogger.Instance, _ => long.MaxValue, writerThread: false);

    private static RecorderOptions Options(string directory) =>
        new(directory, TimeSpan.FromSeconds(10), MaxBytes: 0, MinFreeBytes: 1024 * 1024, Enabled: true) { QueueCapacity = 16 };

    /// <summary>Hands frames to the recorder as the hub would, the fake clock following the stream's timestamps.</summary>
    private static void Feed(Recorder recorder, FakeTimeProvider time, IEnumerable<MediaFrame> frames)
    {
        var hub = new StreamHub("live/cam");
        foreach (MediaFrame frame in frames)
        {
            DateTimeOffset at = Start + TimeSpan.FromMilliseconds(frame.Timestamp);
            if (at > time.GetUtcNow())
            {
                time.SetUtcNow(at);
            }

            recorder.OnFrame(hub, frame, fromCache: false);
            recorder.Drain();
        }
    }

    public sealed class Source : IDisposable
    {
        public Source()
        {
            string path = Path.Combine(Path.GetTempPath(), "edgertmp-recorder-source-60s.flv");
            Frames = RecordingTools.ReadFrames(RecordingTools.MakeSource(path, 60));
        }

        public List<MediaFrame> Frames { get; }

        public void Dispose()
        {
            foreach (MediaFrame frame in Frames)
            {
                frame.Release();
            }
        }
    }
}
