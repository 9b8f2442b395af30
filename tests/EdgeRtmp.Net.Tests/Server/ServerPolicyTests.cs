using System.Net;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Net.Server;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Net.Tests.TestSupport;
using EdgeRtmp.Protocol.Handshake;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Net.Tests.Server;

/// <summary>
/// Each server policy refuses with its reason: sessions run over an in-memory transport pair (the client's address
/// is ours to choose), timeouts on a fake clock advanced by the test.
/// </summary>
public class ServerPolicyTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_play_key_is_required_and_checked()
    {
        await using var server = await StartAsync(new RtmpServerOptions { PlayKey = "letmein" });

        var missing = await Assert.ThrowsAsync<RtmpClientException>(() => PlayAsync(server, "cam"));
        Assert.Contains("a play key is required", missing.Message);
        var wrong = await Assert.ThrowsAsync<RtmpClientException>(() => PlayAsync(server, "cam?key=guess"));
        Assert.Contains("the play key is wrong", wrong.Message);
        Assert.Equal(StatusCode.PlayFailed, wrong.StatusCode);

        await using RtmpClient player = await PlayAsync(server, "cam?key=letmein");
        Assert.False(player.Connection.IsClosed);
    }

    [Fact]
    public async Task Only_addresses_in_AllowPlay_may_play()
    {
        await using var server = await StartAsync(new RtmpServerOptions { AllowPlay = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.1.0/24")] });

        var refused = await Assert.ThrowsAsync<RtmpClientException>(() => PlayAsync(server, "cam", IPAddress.Parse("192.168.2.7")));
        Assert.Contains("this address may not play (Server:AllowPlay)", refused.Message);

        await using RtmpClient inside = await PlayAsync(server, "cam", IPAddress.Parse("10.20.30.40"));
        await using RtmpClient mapped = await PlayAsync(server, "cam", IPAddress.Parse("::ffff:192.168.1.9"));
        Assert.False(inside.Connection.IsClosed);
        Assert.False(mapped.Connection.IsClosed);
    }

    [Fact]
    public async Task Connections_over_MaxConnections_are_not_accepted()
    {
        await using var server = await StartAsync(new RtmpServerOptions { MaxConnections = 2 });
        await using RtmpClient first = await ConnectAsync(server);
        await using RtmpClient second = await ConnectAsync(server);

        var (third, _) = InMemoryTransport.CreatePair();
        Assert.False(server.TryAccept(third));
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task Publishing_needs_the_publish_key_and_a_wrong_one_is_told_then_hung_up()
    {
        await using var server = await StartAsync(new RtmpServerOptions { PublishKey = "secret" });
        await using RtmpClient publisher = await ConnectAsync(server);
        uint stream = await publisher.CreateStreamAsync(CancellationToken.None);

        var wrong = await Assert.ThrowsAsync<RtmpClientException>(() => publisher.PublishAsync(stream, "cam?key=guess", CancellationToken.None));
        Assert.Contains("the publish key is wrong", wrong.Message);
        Assert.Equal(StatusCode.PublishDenied, wrong.StatusCode);

        // The refusal was read before the server's FIN: the connection ends in order, not with a reset.
        await publisher.Completion.WaitAsync(s_timeout);
        Assert.Equal(CloseReasonKind.PeerClosed, publisher.Connection.CloseReason!.Kind);
    }

    [Fact]
    public async Task Publishing_is_refused_when_no_publish_key_is_configured()
    {
        await using var server = await StartAsync(new RtmpServerOptions());
        await using RtmpClient publisher = await ConnectAsync(server);
        uint stream = await publisher.CreateStreamAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<RtmpClientException>(() => publisher.PublishAsync(stream, "cam?key=anything", CancellationToken.None));
        Assert.Contains("publishing to this box is disabled", refused.Message);
    }

    [Fact]
    public async Task A_peer_that_does_not_finish_the_handshake_is_dropped_after_the_handshake_timeout()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartAsync(new RtmpServerOptions { HandshakeTimeout = TimeSpan.FromSeconds(10) }, time);
        var (serverSide, clientSide) = InMemoryTransport.CreatePair();
        Assert.True(server.TryAccept(serverSide));

        // Says nothing at all: the server waits for C0+C1 until the timeout.
        byte[] buffer = new byte[4096];
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, server.ConnectionCount);
        time.Advance(TimeSpan.FromSeconds(2));
        await AssertHungUpAsync(clientSide, buffer);
    }

    [Fact]
    public async Task A_quiet_peer_is_pinged_and_one_that_answers_nothing_is_dropped_after_the_idle_timeout()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartAsync(new RtmpServerOptions { IdleTimeout = TimeSpan.FromSeconds(30) }, time);

        // A peer that answers: its connection answers pings by itself (RtmpConnection), so it stays.
        var answering = new PingCounter();
        await using RtmpClient alive = await ConnectAsync(server, sink: answering);

        // A silent peer: handshake done, then nothing read or sent.
        var (serverSide, silentSide) = InMemoryTransport.CreatePair();
        Assert.True(server.TryAccept(serverSide));
        var silent = new RtmpConnection(silentSide, NullLogger.Instance);
        await silent.HandshakeAsync(RtmpHandshake.CreateClient(HandshakeOptions.Default), CancellationToken.None).WaitAsync(s_timeout);

        for (int second = 0; second < 31; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            if (second == 11)
            {
                // Pinged; a round trip after the answer proves the server has read the answer too.
                await answering.Pinged.WaitAsync(s_timeout);
                await alive.CreateStreamAsync(CancellationToken.None).WaitAsync(s_timeout);
            }
        }

        await AssertHungUpAsync(silentSide, new byte[64 * 1024]);
        Assert.False(alive.Connection.IsClosed);
        await silent.DisposeAsync();
    }

    [Fact]
    public async Task A_paused_player_gets_no_media_and_resumes_at_a_keyframe()
    {
        await using var server = await StartAsync(new RtmpServerOptions());
        StreamHub hub = server.Streams.Acquire("live/cam");
        var source = new object();
        Assert.True(hub.TryStartPublishing(source));
        var sink = new MediaRecorder();
        await using RtmpClient player = await PlayAsync(server, "cam", sink: sink);
        uint stream = 1;

        Write(hub, source, MediaKind.Video, 40, MediaFrameFlags.Keyframe, 1);
        await sink.WaitForAsync(tags => tags.Contains(1));

        Task<StatusInfo> paused = player.WaitForStatusAsync(stream);
        player.Connection.SendCommand(stream, true, static (output, pause) => new PauseCommand(0, pause, 0).Write(output));
        Assert.Equal(StatusCode.PauseNotify, (await paused.WaitAsync(s_timeout)).Code);
        Write(hub, source, MediaKind.Video, 80, MediaFrameFlags.None, 2);
        Write(hub, source, MediaKind.Audio, 80, MediaFrameFlags.None, 3);

        Task<StatusInfo> unpaused = player.WaitForStatusAsync(stream);
        player.Connection.SendCommand(stream, false, static (output, pause) => new PauseCommand(0, pause, 0).Write(output));
        Assert.Equal(StatusCode.UnpauseNotify, (await unpaused.WaitAsync(s_timeout)).Code);
        Write(hub, source, MediaKind.Video, 120, MediaFrameFlags.None, 4);       // mid-GOP: not shown after a resume
        Write(hub, source, MediaKind.Video, 160, MediaFrameFlags.Keyframe, 5);
        await sink.WaitForAsync(tags => tags.Contains(5));

        Assert.Equal([1, 5], sink.Tags);
        hub.StopPublishing(source);
        server.Streams.Release(hub);
    }

    private static void Write(StreamHub hub, object source, MediaKind kind, uint timestamp, MediaFrameFlags flags, byte tag)
    {
        byte first = kind == MediaKind.Audio ? (byte)0xAF : (flags & MediaFrameFlags.Keyframe) != 0 ? (byte)0x17 : (byte)0x27;
        MediaFrame frame = MediaFramePool.Shared.Rent(kind, timestamp, flags, [first, 1, 0, 0, 0, tag]);
        hub.Write(source, frame);
        frame.Release();
    }

    private static async Task AssertHungUpAsync(InMemoryTransport peer, byte[] buffer)
    {
        // Whatever is still buffered may be read; then the connection ends (reset or FIN).
        try
        {
            while (await peer.ReceiveAsync(buffer, CancellationToken.None).AsTask().WaitAsync(s_timeout) > 0)
            {
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
        }
    }

    private static async Task<RtmpServer> StartAsync(RtmpServerOptions options, TimeProvider? time = null)
    {
        var server = new RtmpServer(options with { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, new StreamRegistry(), NullLoggerFactory.Instance, time);
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    private static async Task<RtmpClient> ConnectAsync(RtmpServer server, IPAddress? from = null, IRtmpPlaySink? sink = null)
    {
        var (serverSide, clientSide) = InMemoryTransport.CreatePair(from);
        Assert.True(server.TryAccept(serverSide));
        RtmpClient client = await RtmpClient.ConnectAsync(clientSide, new RtmpClientOptions { Host = "127.0.0.1", App = "live" }, NullLogger.Instance, CancellationToken.None).WaitAsync(s_timeout);
        if (sink is not null)
        {
            uint stream = await client.CreateStreamAsync(CancellationToken.None);
            await client.PlayAsync(stream, "cam", sink, CancellationToken.None).WaitAsync(s_timeout);
        }

        return client;
    }

    private static async Task<RtmpClient> PlayAsync(RtmpServer server, string streamName, IPAddress? from = null, IRtmpPlaySink? sink = null)
    {
        RtmpClient client = await ConnectAsync(server, from);
        try
        {
            uint stream = await client.CreateStreamAsync(CancellationToken.None);
            await client.PlayAsync(stream, streamName, sink ?? new CountingSink(), CancellationToken.None).WaitAsync(s_timeout);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private sealed class PingCounter : IRtmpPlaySink
    {
        private readonly TaskCompletionSource _pinged = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Pinged => _pinged.Task;

        public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
        {
        }

        public void OnStatus(StatusInfo status)
        {
        }

        public void OnUserControl(UserControlEvent control)
        {
            if (control.Type == UserControlEventType.PingRequest)
            {
                _pinged.TrySetResult();
            }
        }
    }

    /// <summary>The last payload byte of each media message (its tag in these tests), with a wait that needs no polling.</summary>
    private sealed class MediaRecorder : IRtmpPlaySink
    {
        private readonly Lock _gate = new();
        private readonly List<int> _tags = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> Tags
        {
            get
            {
                lock (_gate)
                {
                    return [.. _tags];
                }
            }
        }

        public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
        {
            if (header.Type is RtmpMessageType.Audio or RtmpMessageType.Video && payload.Length == 6)
            {
                lock (_gate)
                {
                    _tags.Add(payload[^1]);
                    _changed.TrySetResult();
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }

        public void OnStatus(StatusInfo status)
        {
        }

        public void OnUserControl(UserControlEvent control)
        {
        }

        public async Task WaitForAsync(Func<List<int>, bool> condition)
        {
            using var expiry = new CancellationTokenSource(s_timeout);
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (condition(_tags))
                    {
                        return;
                    }

                    changed = _changed.Task;
                }

                await changed.WaitAsync(expiry.Token);
            }
        }
    }
}
