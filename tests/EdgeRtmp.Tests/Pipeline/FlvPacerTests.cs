using System.Buffers;
using System.Diagnostics;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Pipeline;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>
/// The one FLV play-out loop: bursts for publishing, each tag at its time for a stand-in camera. Timing bounds are
/// loose on the late side (a shared 2-core machine may stall a thread) and tight on the early side, which only the
/// pacer's own schedule decides.
/// </summary>
public sealed class FlvPacerTests : IDisposable
{
    private const int VideoIntervalMs = 40;
    private const int AudioIntervalMs = 23;
    private const int FileLengthMs = 1000;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"edgertmp-pacer-{Guid.NewGuid():N}.flv");

    public FlvPacerTests()
    {
        // Video every 40 ms and audio every 23 ms for a second, in timestamp order, the first video a keyframe.
        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, hasAudio: true, hasVideo: true);
        var tags = new List<(uint Timestamp, FlvTagType Type)>();
        for (int t = 0; t < FileLengthMs; t += VideoIntervalMs) tags.Add(((uint)t, FlvTagType.Video));
        for (int t = 0; t < FileLengthMs; t += AudioIntervalMs) tags.Add(((uint)t, FlvTagType.Audio));
        foreach ((uint timestamp, FlvTagType type) in tags.OrderBy(t => t.Timestamp).ThenBy(t => t.Type))
        {
            byte[] payload = type == FlvTagType.Video ? [timestamp == 0 ? (byte)0x17 : (byte)0x27, 1, 0, 0, 0, 0x65, 0x88] : [0xAF, 1, 0x21, 0x10];
            FlvWriter.WriteTag(output, type, timestamp, payload);
        }

        File.WriteAllBytes(_path, output.WrittenSpan.ToArray());
    }

    public void Dispose() => File.Delete(_path);

    private static int TagCount => (FileLengthMs + VideoIntervalMs - 1) / VideoIntervalMs + (FileLengthMs + AudioIntervalMs - 1) / AudioIntervalMs;

    [Fact]
    public async Task Bursts_send_the_tags_of_a_burst_together_and_never_more_than_a_burst_early()
    {
        var burst = TimeSpan.FromMilliseconds(100);
        List<Emitted> emitted = await PlayAsync(new FlvPacingOptions { Loop = false, Burst = burst });

        Assert.Equal(TagCount, emitted.Count);
        Assert.Equal(emitted.Select(e => e.Timestamp).Order(), emitted.Select(e => e.Timestamp));
        Assert.Equal(0u, emitted[0].Timestamp);
        foreach (Emitted frame in emitted)
        {
            double early = frame.Timestamp - frame.SinceStartMs;
            Assert.True(early <= burst.TotalMilliseconds + 5, $"the frame at {frame.Timestamp} ms left {early:0} ms early");
        }

        // A burst is one batch (one wake-up, one gathered write per player). Per tag there would be one per distinct
        // timestamp (about 65); 100 ms bursts over a second make about ten, fewer when a loaded machine stalls the
        // pacing thread (a late burst takes in what came due meanwhile), never more.
        int batches = emitted.Select(e => e.Batch).Distinct().Count();
        Assert.InRange(batches, 2, 12);
        Assert.True(emitted[^1].SinceStartMs >= FileLengthMs - burst.TotalMilliseconds - 60, $"a second of media played out in {emitted[^1].SinceStartMs:0} ms");
    }

    [Fact]
    public async Task Without_a_burst_every_tag_leaves_at_its_time_never_early()
    {
        List<Emitted> emitted = await PlayAsync(new FlvPacingOptions { Loop = false });

        Assert.Equal(TagCount, emitted.Count);
        // Measured from the call, which comes before the schedule starts: a frame can only look late, never early.
        foreach (Emitted frame in emitted)
        {
            Assert.True(frame.SinceStartMs >= frame.Timestamp, $"the frame at {frame.Timestamp} ms left {frame.Timestamp - frame.SinceStartMs:0} ms early");
        }

        // Lateness after the first frame (the start itself waits for a thread, the file and the first JIT).
        var lateness = emitted.Select(e => e.SinceStartMs - emitted[0].SinceStartMs - e.Timestamp).Order().ToList();
        Assert.True(lateness[lateness.Count / 2] < 50, $"median lateness {lateness[lateness.Count / 2]:0} ms");
    }

    [Fact]
    public async Task A_timestamp_origin_restamps_with_the_files_spacing_and_a_duration_stops_the_loop()
    {
        List<Emitted> emitted = await PlayAsync(new FlvPacingOptions
        {
            Loop = true,
            Duration = TimeSpan.FromMilliseconds(1500),
            Burst = TimeSpan.FromMilliseconds(100),
            TimestampOrigin = () => 50_000,
        });

        Assert.Equal(50_000u, emitted[0].Timestamp);
        Assert.All(emitted, e => Assert.InRange(e.Timestamp, 50_000u, 50_000u + 1500));
        Assert.Equal(emitted.Select(e => e.Timestamp).Order(), emitted.Select(e => e.Timestamp));

        // The file loops once and a half: the keyframe of the second pass is there, stamped after the first pass.
        List<Emitted> keyframes = emitted.Where(e => e.Keyframe).ToList();
        Assert.Equal(2, keyframes.Count);
        Assert.InRange(keyframes[1].Timestamp, 50_000u + FileLengthMs - VideoIntervalMs, 50_000u + FileLengthMs + 100);
    }

    [Fact]
    public async Task Cancellation_ends_a_long_sleep_promptly()
    {
        // A file whose second tag is a minute after its first.
        var output = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(output, hasAudio: true, hasVideo: false);
        FlvWriter.WriteTag(output, FlvTagType.Audio, 0, [0xAF, 1, 0x21]);
        FlvWriter.WriteTag(output, FlvTagType.Audio, 60_000, [0xAF, 1, 0x21]);
        File.WriteAllBytes(_path, output.WrittenSpan.ToArray());

        using var stop = new CancellationTokenSource();
        int count = 0;
        Task<long> playing = FlvPacer.RunAsync(FlvPacer.OpenFile(_path), new FlvPacingOptions { Loop = false }, new CallbackSink(_ => Interlocked.Increment(ref count)), stop.Token);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref count) == 1, TimeSpan.FromSeconds(10)));
        var clock = Stopwatch.StartNew();
        await stop.CancelAsync();
        Assert.Equal(1, await playing.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void A_missing_file_fails_when_it_is_opened()
    {
        Assert.Throws<FileNotFoundException>(() => FlvPacer.OpenFile(_path + ".missing"));
    }

    /// <summary>Plays the file; each frame with its arrival time since the call.</summary>
    private async Task<List<Emitted>> PlayAsync(FlvPacingOptions options)
    {
        var emitted = new List<Emitted>();
        long start = Stopwatch.GetTimestamp();
        CallbackSink? self = null;
        var sink = self = new CallbackSink(frame => emitted.Add(new Emitted(frame.Timestamp, Stopwatch.GetElapsedTime(start).TotalMilliseconds, frame.IsKeyframe, self!.Batches)));
        long frames = await FlvPacer.RunAsync(FlvPacer.OpenFile(_path), options,
            sink,
            CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(emitted.Count, frames);
        return emitted;
    }

    private readonly record struct Emitted(uint Timestamp, double SinceStartMs, bool Keyframe, int Batch);

    /// <summary>Calls back for each frame; <see cref="Batches"/> counts the writes (the current one's number while it runs).</summary>
    private sealed class CallbackSink(Action<MediaFrame> onFrame) : IMediaSink
    {
        public int Batches { get; private set; }

        public void Write(ReadOnlySpan<MediaFrame> frames)
        {
            foreach (MediaFrame frame in frames)
            {
                onFrame(frame);
            }

            Batches++;
        }
    }
}
