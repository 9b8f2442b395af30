using System.Diagnostics;
using System.Globalization;
using System.Net;
using EdgeRtmp.Net.Server;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

// What each further player costs the server, measured inside it: our RTMP server and a looping FLV file in this
// process, players from edgertmp-load in waves (one load process per wave, kept connected), and after each wave a
// full collection, then the live managed bytes (GC.GetTotalMemory) and VmRSS. The difference between waves divided
// by the players added is the per-player cost without the one-time cost of the first player (JIT, heap growth) and
// without garbage the GC has not collected yet.
//
//   edgertmp-memory-probe --file SAMPLE.flv --load path/to/edgertmp-load.dll --waves 100,200 [--settle 12]

// As edgertmp sets it, before the first socket (see docs/ARCHITECTURE.md, Threads).
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
var arguments = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2)
{
    arguments[args[i].TrimStart('-')] = args[i + 1];
}

string file = arguments.GetValueOrDefault("file") ?? throw new ArgumentException("--file SAMPLE.flv is required");
string load = arguments.GetValueOrDefault("load") ?? throw new ArgumentException("--load edgertmp-load.dll is required");
int[] waves = (arguments.GetValueOrDefault("waves") ?? "100,200").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
int settleSeconds = int.Parse(arguments.GetValueOrDefault("settle") ?? "12", CultureInfo.InvariantCulture);

var registry = new StreamRegistry();
await using var server = new RtmpServer(
    new RtmpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), MaxConnections = waves.Sum() + 10 },
    registry,
    NullLoggerFactory.Instance);
await server.StartAsync(CancellationToken.None);
using var stop = new CancellationTokenSource();
var clock = new PipelineClock();
Task<bool> feeding = new MediaPipeline(new FileMediaSource(file, clock), registry.Acquire("live/cam"), clock, NullLogger.Instance).RunAsync(stop.Token);
string url = $"rtmp://127.0.0.1:{server.LocalEndPoint.Port}/live/cam";
int totalSeconds = waves.Length * (settleSeconds + 5) + 10;

var players = new List<Process>();
int connected = 0;
(long Managed, long Rss) previous = Measure();
Console.WriteLine($"0 players: managed {previous.Managed / 1024} KiB, RSS {previous.Rss / 1024} KiB");
try
{
    foreach (int wave in waves)
    {
        players.Add(Process.Start(new ProcessStartInfo("dotnet", [load, "--url", url, "--players", wave.ToString(CultureInfo.InvariantCulture),
            "--duration", totalSeconds.ToString(CultureInfo.InvariantCulture), "--ramp-ms", "5"]) { RedirectStandardOutput = true, RedirectStandardError = true })!);
        connected += wave;
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds));
        (long Managed, long Rss) now = Measure();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{connected} players: managed {now.Managed / 1024} KiB, RSS {now.Rss / 1024} KiB; the last {wave} cost {(now.Managed - previous.Managed) / 1024.0 / wave:0.0} KiB managed, {(now.Rss - previous.Rss) / 1024.0 / wave:0.0} KiB RSS each"));
        previous = now;
    }
}
finally
{
    foreach (Process player in players)
    {
        player.Kill(entireProcessTree: true);
        player.Dispose();
    }

    await stop.CancelAsync();
    await feeding;
}

static (long Managed, long Rss) Measure()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    long managed = GC.GetTotalMemory(forceFullCollection: true);
    string rss = File.ReadLines("/proc/self/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
    return (managed, long.Parse(rss["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024);
}
