using EdgeRtmp.Net.Client;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Reliability.Tests.Support;

/// <summary>An existing player (our client) that counts the video it receives: the server must keep serving it during every attack.</summary>
public sealed class Watcher : IRtmpPlaySink, IAsyncDisposable
{
    private readonly RtmpClient _client;
    private long _videoFrames;

    private Watcher(RtmpClient client) => _client = client;

    public long VideoFrames => Interlocked.Read(ref _videoFrames);

    public static Task<Watcher> StartAsync(ServerProcess server) => StartAsync(server.Port, "cam", TimeSpan.FromSeconds(30));

    /// <summary>Plays live/<paramref name="stream"/> on 127.0.0.1:<paramref name="port"/> and waits for its first frames.</summary>
    public static async Task<Watcher> StartAsync(int port, string stream, TimeSpan firstFramesWithin)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        RtmpClient client = await RtmpClient.ConnectAsync(
            new RtmpClientOptions { Host = "127.0.0.1", Port = port, App = "live", TcUrl = $"rtmp://127.0.0.1:{port}/live" },
            NullLogger.Instance, timeout.Token);
        var watcher = new Watcher(client);
        uint streamId = await client.CreateStreamAsync(timeout.Token);
        await client.PlayAsync(streamId, stream, watcher, timeout.Token);
        await watcher.ExpectFramesAsync(5, firstFramesWithin, "at the start");
        return watcher;
    }

    /// <summary>Whether the server has closed this player's connection.</summary>
    public bool Disconnected => _client.Completion.IsCompleted;

    /// <summary>Fails unless <paramref name="count"/> more video frames arrive within <paramref name="timeout"/>.</summary>
    public async Task ExpectFramesAsync(int count, TimeSpan timeout, string when)
    {
        long target = VideoFrames + count;
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (VideoFrames < target)
        {
            if (Environment.TickCount64 > deadline || _client.Completion.IsCompleted)
            {
                throw new Xunit.Sdk.XunitException($"the existing player received {VideoFrames - target + count} of {count} frames {when} (connection closed: {_client.Completion.IsCompleted})");
            }

            await Task.Delay(50);
        }
    }

    public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Type == RtmpMessageType.Video)
        {
            Interlocked.Increment(ref _videoFrames);
        }
    }

    public void OnStatus(StatusInfo status)
    {
    }

    public void OnUserControl(UserControlEvent control)
    {
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
