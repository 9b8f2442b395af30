using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging.Abstractions;

// edgertmp-soak --url rtmp://127.0.0.1:PORT/live/cam --pid SERVER_PID --players 50 --duration 600 --csv FILE [--warmup 60]
//
// Players join and leave at random (each plays 5..60 s, pauses 0..5 s, again until the end); every 10 s the server's
// RSS, CPU time, descriptors and threads are sampled from /proc and written as CSV. At the end: the verdict on the
// issue's criteria (RSS growth < 5 % after warm-up, descriptors and threads flat, no error), exit 0 on a pass.
// --warmup defaults to half the run, at most 300 s.
var options = ParseArguments(args);
string url = options["url"];
int pid = int.Parse(options["pid"], CultureInfo.InvariantCulture);
int playerCount = int.Parse(options.GetValueOrDefault("players", "50"), CultureInfo.InvariantCulture);
double duration = double.Parse(options.GetValueOrDefault("duration", "600"), CultureInfo.InvariantCulture);
// The server's heap grows toward its steady size for the first minutes (about 5.5 min in the 10-minute soak recorded
// in docs/RELIABILITY.md), so RSS growth is judged only after this warm-up, and only when at least 3 minutes follow it.
double warmup = double.Parse(options.GetValueOrDefault("warmup", Math.Min(300, duration / 2).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
bool judgeRss = duration >= warmup + 180;
string csv = options.GetValueOrDefault("csv", "soak.csv");
RtmpUrl target = RtmpUrl.Parse(url);

var clock = Stopwatch.StartNew();
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(duration));
var stats = new Stats();
Task[] players = Enumerable.Range(0, playerCount).Select(i => Task.Run(() => PlayerLoopAsync(i, stop.Token))).ToArray();

var samples = new List<Sample>();
await using (var writer = new StreamWriter(csv))
{
    await writer.WriteLineAsync("seconds,rss_kib,cpu_seconds,handles,threads,playing,video_frames,errors");
    while (!stop.IsCancellationRequested)
    {
        Sample sample = Sample.Take(pid, clock.Elapsed.TotalSeconds, stats);
        samples.Add(sample);
        await writer.WriteLineAsync(sample.ToCsv());
        await writer.FlushAsync();
        Console.WriteLine(sample.ToCsv());
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(10), stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    samples.Add(Sample.Take(pid, clock.Elapsed.TotalSeconds, stats));
    await writer.WriteLineAsync(samples[^1].ToCsv());
}

await Task.WhenAll(players);

// The verdict. Baseline: the first sample after warm-up; growth is judged on the last third's median against it.
// The final sample, taken as the players hang up, is in the CSV but not judged.
Sample[] steady = samples.Take(samples.Count - 1).Where(s => s.Seconds >= warmup).ToArray();
if (steady.Length < 3)
{
    Console.WriteLine("soak: too short to judge (fewer than 3 samples after warm-up)");
    return 1;
}

Sample baseline = steady[0];
Sample[] tail = steady[(steady.Length * 2 / 3)..];
double rssGrowth = (Median(tail.Select(s => (double)s.RssKiB)) - baseline.RssKiB) / baseline.RssKiB;
int handleSpread = steady.Max(s => s.Handles) - steady.Min(s => s.Handles);
int threadSpread = steady.Max(s => s.Threads) - steady.Min(s => s.Threads);
double cpuPercent = 100 * (samples[^1].CpuSeconds - samples[0].CpuSeconds) / (samples[^1].Seconds - samples[0].Seconds);
bool serverAlive = File.Exists($"/proc/{pid}/status");
// Descriptors follow the number of connected players (one socket each): "flat" allows that swing, not a trend.
bool handlesFlat = tail.Max(s => s.Handles - s.Playing) <= baseline.Handles - baseline.Playing + 4;
bool threadsFlat = tail.Max(s => s.Threads) <= steady.Take(Math.Max(1, steady.Length / 3)).Max(s => s.Threads) + 4;
bool pass = serverAlive && (!judgeRss || rssGrowth < 0.05) && handlesFlat && threadsFlat && stats.Errors == 0;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"soak: {duration:0} s, {playerCount} players, {stats.Sessions} play sessions, {stats.VideoFrames} video frames, {stats.Errors} errors, {stats.Disconnections} unexpected disconnections; " +
    $"RSS {baseline.RssKiB} KiB after a {warmup:0} s warm-up, {Median(tail.Select(s => (double)s.RssKiB)):0} KiB median of the last third ({rssGrowth:P1}{(judgeRss ? "" : ", not judged: fewer than 3 minutes after the warm-up")}); " +
    $"descriptors {steady.Min(s => s.Handles)}..{steady.Max(s => s.Handles)} (spread {handleSpread}), threads {steady.Min(s => s.Threads)}..{steady.Max(s => s.Threads)} (spread {threadSpread}); " +
    $"server CPU {cpuPercent:0.0} %; {(pass ? "PASS" : "FAIL")}"));
return pass ? 0 : 1;

async Task PlayerLoopAsync(int index, CancellationToken cancellationToken)
{
    var random = new Random(index * 7919 + 17);
    while (!cancellationToken.IsCancellationRequested)
    {
        TimeSpan playFor = TimeSpan.FromSeconds(5 + random.NextDouble() * 55);
        var sink = new Sink(stats);
        try
        {
            await using RtmpClient client = await RtmpClient.ConnectAsync(
                new RtmpClientOptions { Host = target.Host, Port = target.Port, App = target.App, TcUrl = target.TcUrl },
                NullLogger.Instance, cancellationToken);
            uint streamId = await client.CreateStreamAsync(cancellationToken);
            await client.PlayAsync(streamId, target.StreamName, sink, cancellationToken);
            Interlocked.Increment(ref stats.Sessions);
            Interlocked.Increment(ref stats.Playing);
            try
            {
                Task ended = await Task.WhenAny(client.Completion, Task.Delay(playFor, cancellationToken));
                if (ended == client.Completion)
                {
                    Interlocked.Increment(ref stats.Disconnections);
                    Console.Error.WriteLine($"player {index}: the server closed the connection");
                }
            }
            finally
            {
                Interlocked.Decrement(ref stats.Playing);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error)
        {
            Interlocked.Increment(ref stats.Errors);
            Console.Error.WriteLine($"player {index}: {error.GetType().Name}: {error.Message}");
        }

        try
        {
            await Task.Delay(TimeSpan.FromSeconds(random.NextDouble() * 5), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
    }
}

static double Median(IEnumerable<double> values)
{
    double[] sorted = values.Order().ToArray();
    return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
}

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i].TrimStart('-')] = args[i + 1];
    }

    return result;
}

internal sealed class Stats
{
    public long Sessions;
    public long Playing;
    public long VideoFrames;
    public long Errors;
    public long Disconnections;
}

internal sealed class Sink(Stats stats) : IRtmpPlaySink
{
    public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Type == RtmpMessageType.Video)
        {
            Interlocked.Increment(ref stats.VideoFrames);
        }
    }

    public void OnStatus(StatusInfo status)
    {
    }

    public void OnUserControl(UserControlEvent control)
    {
    }
}

internal readonly record struct Sample(double Seconds, long RssKiB, double CpuSeconds, int Handles, int Threads, long Playing, long VideoFrames, long Errors)
{
    public static Sample Take(int pid, double seconds, Stats stats)
    {
        long rss = 0;
        int threads = 0;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);
                }
            }

            // utime and stime, fields 14 and 15 of /proc/PID/stat (after the parenthesized command name), in clock ticks.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            int handles = Directory.GetFiles($"/proc/{pid}/fd").Length;
            return new Sample(seconds, rss, cpu, handles, threads, Interlocked.Read(ref stats.Playing), Interlocked.Read(ref stats.VideoFrames), Interlocked.Read(ref stats.Errors));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref stats.Errors);
            Console.Error.WriteLine($"soak: the server process {pid} is gone: {error.Message}");
            return new Sample(seconds, 0, 0, 0, 0, 0, 0, Interlocked.Read(ref stats.Errors));
        }
    }

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture, $"{Seconds:0},{RssKiB},{CpuSeconds:0.00},{Handles},{Threads},{Playing},{VideoFrames},{Errors}");
}
