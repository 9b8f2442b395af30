using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging.Abstractions;

// edgertmp-soak --url rtmp://127.0.0.1:PORT/live/cam --pid SERVER_PID --players 50 --duration 600 --csv FILE [--judged-from SECONDS]
// edgertmp-soak --judge FILE [--judged-from SECONDS]      the verdict again, on a CSV of an earlier run
//
// Players join and leave at random (each plays 5..60 s, pauses 0..5 s, again until the end); every 10 s the server's
// RSS, CPU time, descriptors and threads are sampled from /proc and written as CSV. At the end: the verdict on the
// issue's criteria (RSS growth < 5 % once the heap has settled, descriptors and threads flat, no error), exit 0 on a
// pass. See Verdict for how growth is judged.
var options = ParseArguments(args);
if (options.TryGetValue("judge", out string? judgeFile))
{
    Sample[] recorded = File.ReadLines(judgeFile).Skip(1).Where(l => l.Length > 0).Select(Sample.Parse).ToArray();
    double recordedDuration = recorded[^1].Seconds;
    Verdict again = Verdict.Judge(recorded, JudgedFrom(options, recordedDuration), serverAlive: true, recorded[^1].Errors);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak (judged again from {judgeFile}): {recordedDuration:0} s; {again}"));
    return again.Pass ? 0 : 1;
}

string url = options["url"];
int pid = int.Parse(options["pid"], CultureInfo.InvariantCulture);
int playerCount = int.Parse(options.GetValueOrDefault("players", "50"), CultureInfo.InvariantCulture);
double duration = double.Parse(options.GetValueOrDefault("duration", "600"), CultureInfo.InvariantCulture);
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

Verdict verdict = Verdict.Judge(samples, JudgedFrom(options, duration), File.Exists($"/proc/{pid}/status"), stats.Errors);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"soak: {duration:0} s, {playerCount} players, {stats.Sessions} play sessions, {stats.VideoFrames} video frames, {stats.Errors} errors, {stats.Disconnections} unexpected disconnections; {verdict}"));
return verdict.Pass ? 0 : 1;

// The judged window: the second half of the run unless --judged-from says otherwise.
static double JudgedFrom(Dictionary<string, string> options, double duration) =>
    double.Parse(options.GetValueOrDefault("judged-from", (duration / 2).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

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


/// <summary>
/// The soak's verdict. RSS: a leak is growth that goes on; a heap growing to its working size under the players'
/// churn rises and then stops. So growth is the least-squares trend over the judged window (by default the second
/// half of the run), as a fraction of the fitted level at the window's start: the line's rise across the window,
/// not one sample against another, so neither a single GC's swing nor where exactly the rise ended decides it.
/// The window must span at least 3 minutes to be judged (not in CI's 60 s run); a heap still settling in the second
/// half fails, as it should, since a short run cannot tell it from a leak. Also reported, not judged: where RSS
/// settled (the first sample after which it stays within 2 % of the end level) and the older measure (the window's
/// first sample against the median of the run's last third).
/// Descriptors (less one per connected player) and threads must stay flat, no player may see an error, and the
/// server must live. The final sample, taken as the players hang up, is in the CSV but not judged.
/// </summary>
internal sealed record Verdict(
    bool Pass, bool RssJudged, double RssGrowth, double SlopeKiBPerHour, double WindowStart, double FittedStartKiB, double EndKiB, double SettledAt,
    double OldGrowth, int HandleMin, int HandleMax, int ThreadMin, int ThreadMax, bool HandlesFlat, bool ThreadsFlat, double CpuPercent, long Errors, bool ServerAlive, string Problem)
{
    public const double MaxGrowth = 0.05;
    public const double MinWindowSeconds = 180;

    public static Verdict Judge(IReadOnlyList<Sample> all, double judgedFrom, bool serverAlive, long errors)
    {
        Sample[] samples = all.Take(all.Count - 1).ToArray();
        Sample[] window = samples.Where(s => s.Seconds >= judgedFrom).ToArray();
        if (window.Length < 3)
        {
            return new Verdict(false, false, 0, 0, judgedFrom, 0, 0, 0, 0, 0, 0, 0, 0, false, false, 0, errors, serverAlive, "too short to judge (fewer than 3 samples in the judged window)");
        }

        double meanX = window.Average(s => s.Seconds);
        double meanY = window.Average(s => (double)s.RssKiB);
        double slope = window.Sum(s => (s.Seconds - meanX) * (s.RssKiB - meanY)) / window.Sum(s => (s.Seconds - meanX) * (s.Seconds - meanX));
        double span = window[^1].Seconds - window[0].Seconds;
        double fittedStart = meanY + (slope * (window[0].Seconds - meanX));
        double growth = slope * span / fittedStart;
        bool judged = span >= MinWindowSeconds;

        Sample[] lastThird = samples[(samples.Length * 2 / 3)..];
        double end = Median(lastThird.Select(s => (double)s.RssKiB));
        double settledAt = samples[^1].Seconds;
        for (int i = samples.Length - 1; i >= 0 && Math.Abs(samples[i].RssKiB - end) <= 0.02 * end; i--)
        {
            settledAt = samples[i].Seconds;
        }

        double oldGrowth = (end - window[0].RssKiB) / window[0].RssKiB;
        Sample first = window[0];
        // Descriptors follow the number of connected players (one socket each): "flat" allows that swing, not a trend.
        Sample[] windowTail = window[(window.Length * 2 / 3)..];
        bool handlesFlat = windowTail.Max(s => s.Handles - s.Playing) <= first.Handles - first.Playing + 4;
        bool threadsFlat = windowTail.Max(s => s.Threads) <= window.Take(Math.Max(1, window.Length / 3)).Max(s => s.Threads) + 4;
        double cpu = 100 * (all[^1].CpuSeconds - all[0].CpuSeconds) / (all[^1].Seconds - all[0].Seconds);
        bool pass = serverAlive && (!judged || growth < MaxGrowth) && handlesFlat && threadsFlat && errors == 0;
        return new Verdict(pass, judged, growth, slope * 3600, first.Seconds, fittedStart, end, settledAt, oldGrowth,
            window.Min(s => s.Handles), window.Max(s => s.Handles), window.Min(s => s.Threads), window.Max(s => s.Threads), handlesFlat, threadsFlat, cpu, errors, serverAlive, "");
    }

    public override string ToString() => Problem.Length > 0
        ? $"soak: {Problem}; FAIL"
        : string.Create(CultureInfo.InvariantCulture,
            $"RSS trend from {WindowStart:0} s: {SlopeKiBPerHour / 1024:+0.0;-0.0} MiB/h, {RssGrowth:+0.0%;-0.0%} across the window from a fitted {FittedStartKiB / 1024:0.0} MiB" +
            $"{(RssJudged ? $" (limit {MaxGrowth:0%})" : ", not judged: the window is under 3 minutes")}; settled at {SettledAt:0} s near {EndKiB / 1024:0.0} MiB; " +
            $"first sample of the window to the last third's median {OldGrowth:+0.0%;-0.0%}; " +
            $"descriptors {HandleMin}..{HandleMax} ({(HandlesFlat ? "flat" : "GROWING")}), threads {ThreadMin}..{ThreadMax} ({(ThreadsFlat ? "flat" : "GROWING")}); " +
            $"{Errors} player errors; server CPU {CpuPercent:0.0} %{(ServerAlive ? "" : "; the server DIED")}; {(Pass ? "PASS" : "FAIL")}");

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
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

    public static Sample Parse(string line)
    {
        string[] f = line.Split(',');
        return new Sample(double.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture),
            int.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture),
            long.Parse(f[6], CultureInfo.InvariantCulture), long.Parse(f[7], CultureInfo.InvariantCulture));
    }

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture, $"{Seconds:0},{RssKiB},{CpuSeconds:0.00},{Handles},{Threads},{Playing},{VideoFrames},{Errors}");
}
