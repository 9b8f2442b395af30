using System.Net;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Server;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.Net.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EdgeRtmp.Net.Tests.Server;

[Collection(AllocationCollection.Name)]
public class RelayAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Relaying_10000_messages_from_one_publisher_to_10_players_allocates_at_most_16_bytes_per_message()
    {
        var options = new RtmpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), PublishKey = "secret" };
        var server = new RtmpServer(options, new StreamRegistry(), NullLoggerFactory.Instance);
        await server.StartAsync(CancellationToken.None);
        int port = server.LocalEndPoint.Port;
        var clientOptions = new RtmpClientOptions { Host = "127.0.0.1", Port = port, App = "live" };

        await using RtmpClient publisher = await RtmpClient.ConnectAsync(clientOptions, NullLogger.Instance, CancellationToken.None);
        uint publishStream = await publisher.CreateStreamAsync(CancellationToken.None);
        await publisher.PublishAsync(publishStream, "cam?key=secret", CancellationToken.None);

        var players = new List<(RtmpClient Client, CountingSink Sink)>();
        for (int i = 0; i < 10; i++)
        {
            RtmpClient client = await RtmpClient.ConnectAsync(clientOptions, NullLogger.Instance, CancellationToken.None);
            uint stream = await client.CreateStreamAsync(CancellationToken.None);
            var sink = new CountingSink();
            await client.PlayAsync(stream, "cam", sink, CancellationToken.None);
            players.Add((client, sink));
        }

        byte[] video = new byte[12_000];
        byte[] audio = new byte[340];
        new Random(1).NextBytes(video);
        video[0] = 0x27;
        video[1] = 0x01; // AVC NAL units (a 0 here would make every frame a sequence header)
        audio[0] = 0xAF;
        audio[1] = 0x01;
        uint timestamp = 0;
        long sent = 0;

        void Relay(int count)
        {
            for (int i = 0; i < count; i++)
            {
                bool isVideo = i % 2 == 0;
                bool keyframe = isVideo && i % 60 == 0;
                video[0] = keyframe ? (byte)0x17 : (byte)0x27;
                MediaFrame frame = MediaFramePool.Shared.Rent(isVideo ? MediaKind.Video : MediaKind.Audio, timestamp,
                    keyframe ? MediaFrameFlags.Keyframe : MediaFrameFlags.None, isVideo ? video : audio);
                Assert.True(publisher.Connection.EnqueueMedia(frame, publishStream));
                frame.Release();
                timestamp += 16;
                sent++;
                if (sent % 50 == 0)
                {
                    // Keep every player within 50 messages of the publisher: nothing is dropped, memory stays flat.
                    WaitFor(players, sent);
                }
            }

            WaitFor(players, sent);
        }

        long[] windows = await ProcessAllocation.MeasureAsync(() => Relay(5_000), () => Relay(10_000));

        Assert.All(players, p => Assert.Equal(sent, p.Sink.Media));
        foreach (var player in players)
        {
            await player.Client.DisposeAsync();
        }

        await server.DisposeAsync();
        long allocated = windows.Min();
        double perMessage = allocated / 10_000.0;
        output.WriteLine($"relay allocation: {allocated} bytes for 10,000 messages to 10 players = {perMessage:0.00} bytes per message (windows {string.Join(", ", windows)} bytes)");
        Assert.True(perMessage <= 16, $"{allocated} bytes allocated for 10,000 relayed messages: {perMessage:0.0} per message (players, publisher and test loop included)");
    }

    /// <summary>Waits without allocating (a Task.Delay per poll would dominate what is measured).</summary>
    private static void WaitFor(List<(RtmpClient Client, CountingSink Sink)> players, long count)
    {
        bool AllCaughtUp()
        {
            foreach (var player in players)
            {
                if (player.Sink.Media < count)
                {
                    return false;
                }
            }

            return true;
        }

        if (!SpinWait.SpinUntil(AllCaughtUp, TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"players fell behind: {string.Join(", ", players.Select(p => $"{p.Sink.Media}/{p.Sink.Video}v/q{p.Client.Connection.QueuedBytes}"))} of {count}");
        }
    }
}
