using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Protocol.Handshake;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Net.Tests.Connection;

/// <summary>A peer that stops reading must cost the sender nothing but dropped video, bounded memory, and finally the peer's connection.</summary>
public class SendQueueTests
{
    [Fact]
    public async Task A_peer_that_never_reads_never_blocks_the_sender_and_is_disconnected_after_the_stall_timeout()
    {
        (RtmpConnection sender, RtmpConnection reader) = await ConnectedPairAsync(new SendQueueOptions
        {
            MaxQueuedBytes = 1024 * 1024,
            StallTimeout = TimeSpan.FromSeconds(1),
        });
        await using var _ = sender;
        await using var __ = reader;

        byte[] payload = new byte[64 * 1024];
        payload[0] = 0x27;
        payload[1] = 0x01;
        int queued = 0, dropped = 0;
        double slowestMs = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 2000 && !sender.IsClosed; i++)
        {
            bool keyframe = i % 30 == 0;
            payload[0] = keyframe ? (byte)0x17 : (byte)0x27;
            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Video, (uint)(i * 33), keyframe ? MediaFrameFlags.Keyframe : MediaFrameFlags.None, payload);
            long before = Stopwatch.GetTimestamp();
            bool accepted = sender.EnqueueMedia(frame, 1);
            slowestMs = Math.Max(slowestMs, Stopwatch.GetElapsedTime(before).TotalMilliseconds);
            frame.Release();
            if (accepted) queued++; else dropped++;
            Assert.True(sender.QueuedBytes <= 2 * 1024 * 1024, $"queue grew to {sender.QueuedBytes} bytes");
            await Task.Delay(2);
        }

        Assert.True(sender.IsClosed, "the stalled peer was not disconnected");
        Assert.Contains("could not keep up for 1 s", sender.CloseReason);
        Assert.True(dropped > 0, "no video was dropped");
        Assert.True(queued > 0);
        Assert.True(slowestMs < 100, $"an enqueue blocked for {slowestMs:0} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_reading_peer_receives_every_frame_in_order()
    {
        (RtmpConnection sender, RtmpConnection reader) = await ConnectedPairAsync(new SendQueueOptions());
        await using var _ = sender;
        await using var __ = reader;
        var received = new List<(uint Timestamp, int Length)>();
        var handler = new Recorder(received);
        Task loop = reader.ReceiveLoopAsync(handler, CancellationToken.None);

        var random = new Random(4);
        var sent = new List<(uint, int)>();
        for (int i = 0; i < 500; i++)
        {
            byte[] payload = new byte[random.Next(2, 40_000)];
            payload[0] = i == 0 ? (byte)0x17 : (byte)0x27;
            payload[1] = 1;
            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Video, (uint)(i * 40), i == 0 ? MediaFrameFlags.Keyframe : MediaFrameFlags.None, payload);

            // A reader that keeps up: stay well under the queue limit so nothing is dropped.
            Assert.True(SpinWait.SpinUntil(() => sender.QueuedBytes < 1024 * 1024, TimeSpan.FromSeconds(10)));
            Assert.True(sender.EnqueueMedia(frame, 1));
            frame.Release();
            sent.Add(((uint)(i * 40), payload.Length));
        }

        Assert.True(SpinWait.SpinUntil(() => { lock (received) return received.Count == sent.Count; }, TimeSpan.FromSeconds(20)));
        lock (received)
        {
            Assert.Equal(sent, received);
        }

        reader.Close("done");
        await loop;
    }

    [Fact]
    public async Task A_burst_grows_the_queue_and_the_growth_is_given_back_once_it_is_sent()
    {
        (RtmpConnection sender, RtmpConnection reader) = await ConnectedPairAsync(new SendQueueOptions());
        await using var _ = sender;
        await using var __ = reader;
        var received = new List<(uint Timestamp, int Length)>();
        Task loop = reader.ReceiveLoopAsync(new Recorder(received), CancellationToken.None);

        // A late joiner's GOP replay: a few hundred frames queued at once, sent by one flush (as the hub does).
        for (int i = 0; i < 300; i++)
        {
            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Audio, (uint)i * 23, MediaFrameFlags.None, [0xAF, 1, 0x21, 0x10, (byte)i]);
            Assert.True(sender.EnqueueMedia(frame, 1, flush: false));
            frame.Release();
        }

        Assert.True(sender.QueueCapacity >= 300, $"capacity {sender.QueueCapacity} for 300 queued frames");
        sender.Flush();

        Assert.True(SpinWait.SpinUntil(() => sender.QueuedBytes == 0, TimeSpan.FromSeconds(10)));
        Assert.True(sender.QueueCapacity <= 64, $"the queue kept {sender.QueueCapacity} slots after the burst");
        Assert.True(SpinWait.SpinUntil(() => { lock (received) return received.Count == 300; }, TimeSpan.FromSeconds(10)));
        reader.Close("done");
        await loop;
    }

    private sealed class Recorder(List<(uint, int)> received) : IRtmpMessageHandler
    {
        public void HandleMessage(RtmpConnection connection, in EdgeRtmp.Protocol.Messages.RtmpMessage message)
        {
            lock (received)
            {
                received.Add((message.Timestamp, message.Payload.Length));
            }
        }
    }

    private static async Task<(RtmpConnection Sender, RtmpConnection Reader)> ConnectedPairAsync(SendQueueOptions options)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Task connect = client.ConnectAsync(listener.LocalEndPoint!);
        Socket accepted = await listener.AcceptAsync();
        await connect;

        var sender = new RtmpConnection(new SocketTransport(accepted), NullLogger.Instance, queueOptions: options);
        var reader = new RtmpConnection(new SocketTransport(client), NullLogger.Instance);
        await Task.WhenAll(
            sender.HandshakeAsync(RtmpHandshake.CreateServer(HandshakeOptions.Default), CancellationToken.None),
            reader.HandshakeAsync(RtmpHandshake.CreateClient(HandshakeOptions.Default), CancellationToken.None));
        return (sender, reader);
    }
}
