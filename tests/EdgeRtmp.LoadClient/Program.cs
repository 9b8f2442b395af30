using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging.Abstractions;

// A light multi-connection RTMP player for the fan-out benchmark: N players on our protocol core that
// count bytes and frames, check that every keyframe arrives, and measure relay latency. It works
// against any RTMP server (ours and nginx-rtmp).
//
//   edgertmp-load --url rtmp://127.0.0.1:1935/live/cam --players 100 --duration 20 [--ramp-ms 5]
//
// Latency: the publisher (ffmpeg -re) sends a frame of timestamp T at wall time W0 + T, so
// arrival - T is W0 + the relay delay. W0 is unknown, so the smallest (arrival - T) seen by any
// player stands for "no delay" and each frame's latency is its (arrival - T) minus that minimum:
// relay latency relative to the fastest delivery observed. The first 2 s of each player (the GOP
// burst that starts it) are left out.
var arguments = ParseArguments(args);
string url = arguments.GetValueOrDefault("url") ?? throw new ArgumentException("--url is required");
int playerCount = int.Parse(arguments.GetValueOrDefault("players") ?? "1", CultureInfo.InvariantCulture);
double duration = double.Parse(arguments.GetValueOrDefault("duration") ?? "10", CultureInfo.InvariantCulture);
int rampMs = int.Parse(arguments.GetValueOrDefault("ramp-ms") ?? "5", CultureInfo.InvariantCulture);
RtmpUrl target = RtmpUrl.Parse(url);

var clock = Stopwatch.StartNew();
var players = new List<Player>(playerCount);
var clients = new ConcurrentBag<RtmpClient>();
int failures = 0;
for (int i = 0; i < playerCount; i++)
{
    var player = new Player(clock);
    players.Add(player);
    _ = Task.Run(async () =>
    {
        try
        {
            RtmpClient client = await RtmpClient.ConnectAsync(
                new RtmpClientOptions { Host = target.Host, Port = target.Port, App = target.App, TcUrl = target.TcUrl },
                NullLogger.Instance, CancellationToken.None);
            clients.Add(client);
            uint streamId = await client.CreateStreamAsync(CancellationToken.None);
            await client.PlayAsync(streamId, target.StreamName, player, CancellationToken.None);
            player.Connected = true;
        }
        catch (Exception error)
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"player failed: {error.Message}");
        }
    });
    if (rampMs > 0)
    {
        await Task.Delay(rampMs);
    }
}

await Task.Delay(TimeSpan.FromSeconds(duration));
long end = clock.ElapsedMilliseconds;

// Every keyframe any player saw, by timestamp: a player missed one if it was in its active span and never arrived.
var keyframes = new SortedSet<uint>();
foreach (Player player in players)
{
    lock (player)
    {
        keyframes.UnionWith(player.Keyframes);
    }
}

long minimumOffset = long.MaxValue;
foreach (Player player in players)
{
    lock (player)
    {
        if (player.Offsets.Count > 0)
        {
            minimumOffset = Math.Min(minimumOffset, player.Offsets.Min());
        }
    }
}

var latencies = new List<long>();
int receivingAtEnd = 0, connected = 0, missingKeyframes = 0, firstFrameNotKey = 0;
long bytes = 0, videoFrames = 0, audioFrames = 0;
foreach (Player player in players)
{
    lock (player)
    {
        connected += player.Connected ? 1 : 0;
        receivingAtEnd += end - player.LastArrivalMs < 2000 && player.VideoFrames > 0 ? 1 : 0;
        bytes += player.Bytes;
        videoFrames += player.VideoFrames;
        audioFrames += player.AudioFrames;
        firstFrameNotKey += player.VideoFrames > 0 && !player.FirstVideoWasKeyframe ? 1 : 0;
        if (player.VideoFrames > 0)
        {
            foreach (uint keyframe in keyframes.GetViewBetween(player.FirstVideoTimestamp, player.LastVideoTimestamp))
            {
                missingKeyframes += player.Keyframes.Contains(keyframe) ? 0 : 1;
            }
        }

        latencies.AddRange(player.Offsets.Select(offset => offset - minimumOffset));
    }
}

latencies.Sort();
double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[(int)Math.Min(latencies.Count - 1, Math.Round(p * (latencies.Count - 1)))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"players={playerCount} connected={connected} failed={failures} receiving_at_end={receivingAtEnd} bytes={bytes} video_frames={videoFrames} audio_frames={audioFrames} " +
    $"keyframes_seen={keyframes.Count} keyframes_missing={missingKeyframes} first_frame_not_key={firstFrameNotKey} latency_p50_ms={Percentile(0.50)} latency_p99_ms={Percentile(0.99)} latency_samples={latencies.Count}"));
Environment.Exit(0);

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>();
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i].TrimStart('-')] = args[i + 1];
    }

    return result;
}

/// <summary>One player's counters; the receive loop is its only writer.</summary>
internal sealed class Player(Stopwatch clock) : IRtmpPlaySink
{
    private const long WarmUpMs = 2000;
    private long _firstArrivalMs = -1;

    public bool Connected;
    public long Bytes;
    public long VideoFrames;
    public long AudioFrames;
    public long LastArrivalMs;
    public bool FirstVideoWasKeyframe;
    public uint FirstVideoTimestamp;
    public uint LastVideoTimestamp;
    public readonly HashSet<uint> Keyframes = [];
    public readonly List<long> Offsets = new(4096);

    public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
    {
        long now = clock.ElapsedMilliseconds;
        lock (this)
        {
            Bytes += payload.Length;
            LastArrivalMs = now;
            if (header.Type == RtmpMessageType.Audio)
            {
                AudioFrames++;
                return;
            }

            if (header.Type != RtmpMessageType.Video || FlvPayload.IsVideoSequenceHeader(payload))
            {
                return;
            }

            bool keyframe = FlvPayload.IsVideoKeyframe(payload);
            if (VideoFrames == 0)
            {
                FirstVideoWasKeyframe = keyframe;
                FirstVideoTimestamp = header.Timestamp;
                _firstArrivalMs = now;
            }

            VideoFrames++;
            LastVideoTimestamp = header.Timestamp;
            if (keyframe)
            {
                Keyframes.Add(header.Timestamp);
            }

            if (now - _firstArrivalMs > WarmUpMs)
            {
                Offsets.Add(now - header.Timestamp);
            }
        }
    }

    public void OnStatus(StatusInfo status)
    {
    }

    public void OnUserControl(UserControlEvent control)
    {
    }
}
