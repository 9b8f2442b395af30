using System.Diagnostics;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Interop.Tests.Support;

/// <summary>A player on our own client that records what arrives and when, for assertions.</summary>
public sealed class ProbePlayer : IRtmpPlaySink, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Received> _media = [];
    private readonly List<string> _events = [];
    private RtmpClient? _client;

    public readonly record struct Received(RtmpMessageType Type, uint Timestamp, bool Keyframe, bool SequenceHeader, int Length, long ArrivalTicks);

    public long PlayStartedTicks { get; private set; }

    public IReadOnlyList<Received> Media
    {
        get
        {
            lock (_gate)
            {
                return [.. _media];
            }
        }
    }

    /// <summary>Status codes and user control events in arrival order ("NetStream.Play.Start", "StreamEof"…).</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public static async Task<ProbePlayer> PlayAsync(int port, string app, string streamName, CancellationToken cancellationToken = default)
    {
        var player = new ProbePlayer();
        player._client = await RtmpClient.ConnectAsync(new RtmpClientOptions { Host = "127.0.0.1", Port = port, App = app }, NullLogger.Instance, cancellationToken);
        uint streamId = await player._client.CreateStreamAsync(cancellationToken);
        player.PlayStartedTicks = Stopwatch.GetTimestamp();
        await player._client.PlayAsync(streamId, streamName, player, cancellationToken);
        return player;
    }

    public async Task<bool> WaitUntilAsync(Func<ProbePlayer, bool> condition, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (condition(this))
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition(this);
    }

    public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
    {
        bool keyframe = header.Type == RtmpMessageType.Video && FlvPayload.IsVideoKeyframe(payload);
        bool sequenceHeader = header.Type == RtmpMessageType.Video ? FlvPayload.IsVideoSequenceHeader(payload)
            : header.Type == RtmpMessageType.Audio && FlvPayload.IsAudioSequenceHeader(payload);
        lock (_gate)
        {
            _media.Add(new Received(header.Type, header.Timestamp, keyframe, sequenceHeader, payload.Length, Stopwatch.GetTimestamp()));
        }
    }

    public void OnStatus(StatusInfo status)
    {
        lock (_gate)
        {
            _events.Add(status.Code ?? "?");
        }
    }

    public void OnUserControl(UserControlEvent control)
    {
        lock (_gate)
        {
            _events.Add(control.Type.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }
}
