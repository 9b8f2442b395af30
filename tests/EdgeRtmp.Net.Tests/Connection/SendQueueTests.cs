using EdgeRtmp.Media;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Net.Tests.TestSupport;
using EdgeRtmp.Protocol.Handshake;
using EdgeRtmp.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Net.Tests.Connection;

/// <summary>
/// The send queue over an in-memory transport on a fake clock: a peer that stops reading costs the sender nothing
/// but dropped video, bounded memory and finally the peer's connection; a reading peer gets everything in order.
/// </summary>
public class SendQueueTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_peer_that_never_reads_never_blocks_the_sender_and_is_disconnected_after_the_stall_timeout()
    {
        var time = new FakeTimeProvider();
        (RtmpConnection sender, RtmpConnection reader) = await ConnectedPairAsync(new SendQueueOptions
        {
            MaxQueuedBytes = 1024 * 1024,
            StallTimeout = TimeSpan.FromSeconds(10),
        }, time);
        await using var _ = sender;
        await using var __ = reader;

        // The reader never reads: 64 KiB frames fill its buffer, then the queue, then video is dropped.
        byte[] payload = new byte[64 * 1024];
        int queued = 0, dropped = 0;
        for (int i = 0; i < 200; i++)
        {
            if (Enqueue(sender, payload, i)) queued++; else dropped++;
            Assert.True(sender.QueuedBytes <= 2 * 1024 * 1024, $"queue grew to {sender.QueuedBytes} bytes");
        }

        Assert.False(sender.IsClosed, "closed before the stall timeout");
        Assert.True(dropped > 0, "no video was dropped");
        Assert.True(queued > 0);

        // Still over the limit 10 s later: the next dropped frame disconnects it.
        time.Advance(TimeSpan.FromSeconds(11));
        Enqueue(sender, payload, 200);
        Assert.True(sender.IsClosed, "the stalled peer was not disconnected");
        Assert.Equal(CloseReasonKind.SlowPeer, sender.CloseReason!.Kind);
        Assert.StartsWith("the peer could not keep up for 10 s", sender.CloseReason.Detail);
        Assert.Equal(0, sender.QueuedBytes);
    }

    [Fact]
    public async Task A_peer_that_lets_audio_pile_up_to_twice_the_limit_is_disconnected_at_once()
    {
        (RtmpConnection sender, RtmpConnection reader) = await ConnectedPairAsync(new SendQueueOptions { MaxQueuedBytes = 256 * 1024 });
        await using var _ = sender;
        await using var __ = reader;
        byte[] payload = new byte[16 * 1024];
        payload[0] = 0xAF;
        for (int i = 0; i < 200 && !sender.IsClosed; i++)
        {
            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Audio, (uint)i * 23, MediaFrameFlags.None, payload);
            sender.EnqueueMedia(frame, 1);
            frame.Release();
        }

        Assert.True(sender.IsClosed);
        Assert.Equal(CloseReasonKind.SlowPeer, sender.CloseReason!.Kind);
        Assert.StartsWith("the peer did not read", sender.CloseReason.Detail);
    }

    [Fact]
    public async Task A_reading_peer_receives_every_frame_in_order()
    {
        (RtmpConnection sender, RtmpConnection reader) = await ConnectedPairAsync(new SendQueueOptions());
        await using var _ = sender;
        await using var __ = reader;
        var recorder = new Recorder();
        Task loop = reader.ReceiveLoopAsync(recorder, CancellationToken.None);

        var random = new Random(4);
        var sent = new List<(uint, int)>();
        for (int i = 0; i < 500; i++)
        {
            byte[] payload = new byte[random.Next(2, 40_000)];
            payload[0] = i == 0 ? (byte)0x17 : (byte)0x27;
            payload[1] = 1;
            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Video, (uint)(i * 40), i == 0 ? MediaFrameFlags.Keyframe : MediaFrameFlags.None, payload);

            // A reader that keeps up: wait for it to catch up now and then, so nothing is dropped.
            if (sender.QueuedBytes > 1024 * 1024)
            {
                await recorder.WaitForCountAsync(i - 20, s_timeout);
            }

            Assert.True(sender.EnqueueMedia(frame, 1));
            frame.Release();
            sent.Add(((uint)(i * 40), payload.Length));
        }

        await recorder.WaitForCountAsync(sent.Count, s_timeout);
        Assert.Equal(sent, recorder.Received);
        reader.Close(CloseReason.Local("done"));
        await loop;
    }

    [Fact]
    public async Task A_burst_grows_the_queue_and_the_growth_is_given_back_once_it_is_sent()
    {
        (RtmpConnection sender, RtmpConnection reader) = await ConnectedPairAsync(new SendQueueOptions());
        await using var _ = sender;
        await using var __ = reader;
        var recorder = new Recorder();
        Task loop = reader.ReceiveLoopAsync(recorder, CancellationToken.None);

        // A late joiner's GOP replay: a few hundred frames queued at once, sent by one flush (as the hub does).
        for (int i = 0; i < 300; i++)
        {
            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Audio, (uint)i * 23, MediaFrameFlags.None, [0xAF, 1, 0x21, 0x10, (byte)i]);
            Assert.True(sender.EnqueueMedia(frame, 1, flush: false));
            frame.Release();
        }

        Assert.True(sender.Output.Capacity >= 300, $"capacity {sender.Output.Capacity} for 300 queued frames");
        Task drained = sender.Output.WhenDrained();
        sender.Flush();
        await drained.WaitAsync(s_timeout);
        Assert.Equal(0, sender.QueuedBytes);
        Assert.True(sender.Output.Capacity <= 64, $"the queue kept {sender.Output.Capacity} slots after the burst");
        await recorder.WaitForCountAsync(300, s_timeout);
        reader.Close(CloseReason.Local("done"));
        await loop;
    }

    [Fact]
    public async Task Frames_queued_together_leave_in_one_gathered_write()
    {
        var (serverSide, clientSide) = InMemoryTransport.CreatePair();
        var sender = new RtmpConnection(serverSide, NullLogger.Instance);
        var reader = new RtmpConnection(clientSide, NullLogger.Instance);
        await using var _ = sender;
        await using var __ = reader;
        await HandshakeAsync(sender, reader);
        int before = serverSide.Sends;

        // Audio and video of one moment, queued without flushing, then one flush: one sendmsg (4 segments).
        MediaFrame video = MediaFramePool.Shared.Rent(MediaKind.Video, 40, MediaFrameFlags.Keyframe, [0x17, 1, 0, 0, 0, 0x65]);
        MediaFrame audio = MediaFramePool.Shared.Rent(MediaKind.Audio, 40, MediaFrameFlags.None, [0xAF, 1, 0x21]);
        sender.EnqueueMedia(video, 1, flush: false);
        sender.EnqueueMedia(audio, 1, flush: false);
        video.Release();
        audio.Release();
        sender.Flush();

        Assert.Equal(before + 1, serverSide.Sends);
    }

    [Fact]
    public async Task A_polite_close_sends_what_is_queued_then_a_fin_and_keeps_its_reason()
    {
        var (serverSide, clientSide) = InMemoryTransport.CreatePair();
        var sender = new RtmpConnection(serverSide, NullLogger.Instance);
        var reader = new RtmpConnection(clientSide, NullLogger.Instance);
        await using var _ = sender;
        await using var __ = reader;
        await HandshakeAsync(sender, reader);
        var recorder = new Recorder();

        for (int i = 0; i < 50; i++)
        {
            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Audio, (uint)i * 23, MediaFrameFlags.None, new byte[4000]);
            sender.EnqueueMedia(frame, 1);
            frame.Release();
        }

        Task senderLoop = sender.ReceiveLoopAsync(new Recorder(), CancellationToken.None);
        var refused = new CloseReason(CloseReasonKind.Refused, "publish refused: the publish key is wrong");
        Task closing = sender.CloseAfterSendingAsync(refused, s_timeout);

        // The reader reads it all, then sees the FIN and hangs up; the sender keeps its own reason.
        await reader.ReceiveLoopAsync(recorder, CancellationToken.None).WaitAsync(s_timeout);
        await closing.WaitAsync(s_timeout);
        await senderLoop.WaitAsync(s_timeout);
        Assert.Equal(50, recorder.Received.Count);
        Assert.True(serverSide.SendShutDown);
        Assert.Equal(CloseReasonKind.PeerClosed, reader.CloseReason!.Kind);
        Assert.Same(refused, sender.CloseReason);
    }

    private static bool Enqueue(RtmpConnection sender, byte[] payload, int index)
    {
        bool keyframe = index % 30 == 0;
        payload[0] = keyframe ? (byte)0x17 : (byte)0x27;
        payload[1] = 1;
        MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Video, (uint)(index * 33), keyframe ? MediaFrameFlags.Keyframe : MediaFrameFlags.None, payload);
        try
        {
            return sender.EnqueueMedia(frame, 1);
        }
        finally
        {
            frame.Release();
        }
    }

    private static async Task<(RtmpConnection Sender, RtmpConnection Reader)> ConnectedPairAsync(SendQueueOptions options, TimeProvider? time = null)
    {
        var (serverSide, clientSide) = InMemoryTransport.CreatePair();
        var sender = new RtmpConnection(serverSide, NullLogger.Instance, queueOptions: options, time: time);
        var reader = new RtmpConnection(clientSide, NullLogger.Instance);
        await HandshakeAsync(sender, reader);
        return (sender, reader);
    }

    private static Task HandshakeAsync(RtmpConnection server, RtmpConnection client) =>
        Task.WhenAll(
            server.HandshakeAsync(RtmpHandshake.CreateServer(HandshakeOptions.Default), CancellationToken.None),
            client.HandshakeAsync(RtmpHandshake.CreateClient(HandshakeOptions.Default), CancellationToken.None)).WaitAsync(s_timeout);

    /// <summary>Media messages read, with a wait for a count that needs no polling.</summary>
    private sealed class Recorder : IRtmpMessageHandler
    {
        private readonly Lock _gate = new();
        private readonly List<(uint, int)> _received = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<(uint, int)> Received
        {
            get
            {
                lock (_gate)
                {
                    return [.. _received];
                }
            }
        }

        public void HandleMessage(RtmpConnection connection, in RtmpMessage message)
        {
            if (message.Type is RtmpMessageType.Video or RtmpMessageType.Audio)
            {
                lock (_gate)
                {
                    _received.Add((message.Timestamp, message.Payload.Length));
                    _changed.TrySetResult();
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }

        public async Task WaitForCountAsync(int count, TimeSpan timeout)
        {
            using var expiry = new CancellationTokenSource(timeout);
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (_received.Count >= count)
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
