using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
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
//                 [--publish FILE --publish-url URL --publish-lead SECONDS --players-after PATH]
//
// SIGINT or SIGTERM ends the run early and prints the results as at the end of --duration: a script that cannot
// know how long its own steps take (starting 300 player processes on a loaded machine) stops the publisher when
// it is done rather than guessing a duration.
//
// Latency: the publisher (ffmpeg -re) sends a frame of timestamp T at wall time W0 + T, so
// arrival - T is W0 + the relay delay. W0 is unknown, so the smallest (arrival - T) seen by any
// player stands for "no delay" and each frame's latency is its (arrival - T) minus that minimum:
// relay latency relative to the fastest delivery observed. The first 2 s of each player (the GOP
// burst that starts it) are left out.
//
// With --publish FILE the load client is the publisher too (SamplePublisher: the file looped, each tag sent alone
// when due, as ffmpeg -re does) and latency is exact: a video message's arrival at a player minus the moment the
// publisher handed it to its socket, one clock for both. Messages sent before the player started playing (its GOP
// replay) are left out.
var arguments = ParseArguments(args);
string url = arguments.GetValueOrDefault("url") ?? throw new ArgumentException("--url is required");
int playerCount = int.Parse(arguments.GetValueOrDefault("players") ?? "1", CultureInfo.InvariantCulture);
double duration = double.Parse(arguments.GetValueOrDefault("duration") ?? "10", CultureInfo.InvariantCulture);
int rampMs = int.Parse(arguments.GetValueOrDefault("ramp-ms") ?? "5", CultureInfo.InvariantCulture);
RtmpUrl target = RtmpUrl.Parse(url);
string? publishFile = arguments.GetValueOrDefault("publish");

using var stop = new CancellationTokenSource();
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });

var clock = Stopwatch.StartNew();
SamplePublisher? publisher = null;
using var stopPublishing = new CancellationTokenSource();
Task publishing = Task.CompletedTask;
if (publishFile is not null)
{
    publisher = new SamplePublisher(clock);
    RtmpUrl publishTarget = RtmpUrl.Parse(arguments.GetValueOrDefault("publish-url") ?? url);
    publishing = Task.Run(() => publisher.RunAsync(publishFile, publishTarget, stopPublishing.Token));
    double lead = double.Parse(arguments.GetValueOrDefault("publish-lead") ?? "0", CultureInfo.InvariantCulture);
    await Task.Delay(TimeSpan.FromSeconds(lead));

    // --players-after PATH: the players (the probes) join once PATH exists, so a script can put them after its
    // own players, last in the server's fan-out, where a frame arrives latest.
    string? playersAfter = arguments.GetValueOrDefault("players-after");
    while (playersAfter is not null && !File.Exists(playersAfter) && !stop.IsCancellationRequested)
    {
        await Task.Delay(50);
    }
}

var players = new List<Player>(playerCount);
var clients = new ConcurrentBag<RtmpClient>();
int failures = 0;
for (int i = 0; i < playerCount; i++)
{
    var player = new Player(clock, publisher);
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
            player.PlayStartTicks = clock.ElapsedTicks;
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

await Task.Delay(TimeSpan.FromSeconds(duration), stop.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
long end = clock.ElapsedMilliseconds;
if (publishing.IsFaulted)
{
    Console.Error.WriteLine($"publisher failed: {publishing.Exception!.InnerException!.Message}");
}

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

var latencies = new List<double>();
var audioLatencies = new List<double>();
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

        if (publisher is null)
        {
            latencies.AddRange(player.Offsets.Select(offset => (double)(offset - minimumOffset)));
        }
        else
        {
            latencies.AddRange(player.ExactLatenciesMs);
            audioLatencies.AddRange(player.ExactAudioLatenciesMs);
        }
    }
}

latencies.Sort();
audioLatencies.Sort();
double Percentile(double p) => PercentileOf(latencies, p);
double PercentileOf(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"players={playerCount} connected={connected} failed={failures} receiving_at_end={receivingAtEnd} bytes={bytes} video_frames={videoFrames} audio_frames={audioFrames} " +
    $"keyframes_seen={keyframes.Count} keyframes_missing={missingKeyframes} first_frame_not_key={firstFrameNotKey} latency_p50_ms={Percentile(0.50):0.0} latency_p99_ms={Percentile(0.99):0.0} latency_max_ms={Percentile(1):0.0} latency_samples={latencies.Count} latency_kind={(publisher is null ? "relative" : "exact")} latency_audio_p50_ms={PercentileOf(audioLatencies, 0.50):0.0} latency_audio_p99_ms={PercentileOf(audioLatencies, 0.99):0.0}"));
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
internal sealed class Player(Stopwatch clock, SamplePublisher? publisher) : IRtmpPlaySink
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
    public readonly List<double> ExactLatenciesMs = new(4096);
    public readonly List<double> ExactAudioLatenciesMs = new(4096);
    public long PlayStartTicks;

    public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
    {
        long nowTicks = clock.ElapsedTicks;
        long now = nowTicks * 1000 / Stopwatch.Frequency;
        lock (this)
        {
            Bytes += payload.Length;
            LastArrivalMs = now;
            if (header.Type == RtmpMessageType.Audio)
            {
                AudioFrames++;
                if (publisher is not null && publisher.TryGetSendTicks(video: false, header.Timestamp, out long audioSentTicks) && audioSentTicks > PlayStartTicks)
                {
                    ExactAudioLatenciesMs.Add((nowTicks - audioSentTicks) * 1000.0 / Stopwatch.Frequency);
                }

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

            if (publisher is not null && publisher.TryGetSendTicks(video: true, header.Timestamp, out long sentTicks) && sentTicks > PlayStartTicks)
            {
                ExactLatenciesMs.Add((nowTicks - sentTicks) * 1000.0 / Stopwatch.Frequency);
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
