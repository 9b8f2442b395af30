using System.Buffers;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary>
/// The one FLV play-out loop: bursts for publishing, each tag at its time for a stand-in camera. The schedule runs on
/// a fake clock that the test moves on each time the pacer sleeps (by exactly the sleep it asked for), so times are
/// exact whatever the machine's load; only the cancellation test uses the real clock and its Thread.Sleep path.
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
            Assert.InRange(early, 0, burst.TotalMilliseconds);
        }

        // A burst is one batch (one wake-up, one gathered write per player): a burst opens at a tag's time and takes
        // the tags due within 100 ms of it. Per tag there would be one per distinct timestamp (about 65).
        int batches = emitted.Select(e => e.Batch).Distinct().Count();
        Assert.Equal(ExpectedBursts(burst), batches);
        Assert.Equal(emitted[^1].SinceStartMs, emitted.Where(e => e.Batch == emitted[^1].Batch).Min(e => (double)e.Timestamp));
    }

    [Fact]
    public async Task Without_a_burst_every_tag_leaves_at_its_time_never_early()
    {
        List<Emitted> emitted = await PlayAsync(new FlvPacingOptions { Loop = false });

        Assert.Equal(TagCount, emitted.Count);
        // To the clock's tick: each tag leaves when it is due, neither early nor late.
        foreach (Emitted frame in emitted)
        {
            Assert.InRange(frame.SinceStartMs - frame.Timestamp, -0.001, 0.001);
        }
    }

    [Fact]
    public async Task A_stall_longer_than_the_maximum_lag_moves_the_schedule_instead_of_a_rush()
    {
        // The machine stalls for 1.5 s in the sleep before the video tag at 200 ms (after the audio at 184): that tag
        // leaves at 1,700 ms with its own stamp. The next one (audio at 207) is then 1,493 ms late, past MaxLag
        // (1 s): the schedule and the timestamps move by that, and every tag after keeps the file's spacing from
        // there, each at its moved time, instead of a rush to catch up.
        List<Emitted> emitted = await PlayAsync(new FlvPacingOptions { Loop = false }, stallBeforeMs: 200, stall: TimeSpan.FromMilliseconds(1500));

        Assert.Equal(TagCount, emitted.Count);
        int stalled = emitted.FindIndex(e => e.SinceStartMs >= 200);
        Assert.Equal(200u, emitted[stalled].Timestamp);
        Assert.Equal(1700, emitted[stalled].SinceStartMs, 3);
        List<Emitted> after = emitted[(stalled + 1)..];
        Assert.Equal(207u + 1493u, after[0].Timestamp);
        Assert.All(after, e => Assert.InRange(e.SinceStartMs - e.Timestamp, -0.001, 0.001));
        Assert.Equal(after.Select(e => e.Timestamp).Order(), after.Select(e => e.Timestamp));
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
        await stop.CancelAsync();
        // The sleep is a minute; a pacer that slept it out would miss this wait by far, whatever the machine's load.
        Assert.Equal(1, await playing.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void A_missing_file_fails_when_it_is_opened()
    {
        Assert.Throws<FileNotFoundException>(() => FlvPacer.OpenFile(_path + ".missing"));
    }

    /// <summary>
    /// Plays the file on a fake clock; each frame with the clock's time since the start. Each time the pacer sleeps,
    /// the clock moves on by exactly the sleep (plus <paramref name="stall"/> at the first sleep ending at or after
    /// <paramref name="stallBeforeMs"/>).
    /// </summary>
    private async Task<List<Emitted>> PlayAsync(FlvPacingOptions options, double stallBeforeMs = double.PositiveInfinity, TimeSpan stall = default)
    {
        var time = new ObservedTimeProvider();
        var emitted = new List<Emitted>();
        long start = time.GetTimestamp();
        CallbackSink? self = null;
        var sink = self = new CallbackSink(frame => emitted.Add(new Emitted(frame.Timestamp, time.GetElapsedTime(start).TotalMilliseconds, frame.IsKeyframe, self!.Batches)));
        Task<long> playing = FlvPacer.RunAsync(FlvPacer.OpenFile(_path), options with { Time = time }, sink, CancellationToken.None);
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        bool stalled = false;
        while (!playing.IsCompleted)
        {
            Task<TimeSpan> armed = time.NextTimerAsync(done.Token).AsTask();
            if (await Task.WhenAny(playing, armed) == playing)
            {
                break;
            }

            TimeSpan sleep = await armed;
            if (!stalled && (time.GetElapsedTime(start) + sleep).TotalMilliseconds >= stallBeforeMs)
            {
                stalled = true;
                sleep += stall;
            }

            time.Advance(sleep);
        }

        long frames = await playing.WaitAsync(done.Token);
        Assert.Equal(emitted.Count, frames);
        return emitted;
    }

    /// <summary>Bursts the schedule makes: each opens at the first tag past the previous burst's end and lasts <paramref name="burst"/>.</summary>
    private static int ExpectedBursts(TimeSpan burst)
    {
        var times = Enumerable.Range(0, FileLengthMs).Where(t => t % VideoIntervalMs == 0 || t % AudioIntervalMs == 0).ToList();
        int bursts = 0;
        double end = double.NegativeInfinity;
        foreach (int t in times)
        {
            if (t > end)
            {
                bursts++;
                end = t + burst.TotalMilliseconds;
            }
        }

        return bursts;
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
