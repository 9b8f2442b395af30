using System.Net;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Net.Server;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.Net.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EdgeRtmp.Net.Tests.Client;

[Collection(AllocationCollection.Name)]
public class RtmpPublisherTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static async Task<RtmpServer> StartServerAsync()
    {
        var server = new RtmpServer(new RtmpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), PublishKey = "secret" }, new StreamRegistry(), NullLoggerFactory.Instance);
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    private static async Task<(RtmpClient Client, CountingSink Sink)> PlayAsync(int port)
    {
        RtmpClient client = await RtmpClient.ConnectAsync(new RtmpClientOptions { Host = "127.0.0.1", Port = port, App = "live" }, NullLogger.Instance, CancellationToken.None);
        uint stream = await client.CreateStreamAsync(CancellationToken.None);
        var sink = new CountingSink();
        await client.PlayAsync(stream, "cam", sink, CancellationToken.None);
        return (client, sink);
    }

    private static MediaFrame Metadata() => MediaFramePool.Shared.Rent(MediaKind.Data, 0, MediaFrameFlags.Metadata, [0x02, 0x00, 0x0A, .. "onMetaData"u8, 0x03, 0x00, 0x00, 0x09]);

    private static MediaFrame VideoSequenceHeader() => MediaFramePool.Shared.Rent(MediaKind.Video, 0, MediaFrameFlags.SequenceHeader, [0x17, 0x00, 0, 0, 0, 1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0x00]);

    private static void Write(StreamHub hub, object owner, MediaFrame frame)
    {
        hub.Write(owner, frame);
        frame.Release();
    }

    [Fact]
    public async Task Goes_live_forwards_metadata_and_headers_and_sends_the_headers_again_after_a_reconnect()
    {
        await using RtmpServer server = await StartServerAsync();
        var hub = new StreamHub("local");
        object source = new();
        Assert.True(hub.TryStartPublishing(source));
        Write(hub, source, Metadata());
        Write(hub, source, VideoSequenceHeader());

        await using var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = RtmpUrl.Parse($"rtmp://127.0.0.1:{server.LocalEndPoint.Port}/live/cam?key=secret"), Jitter = () => 0 }, NullLogger.Instance);
        publisher.Start();
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, Timeout), publisher.State.ToString());

        var (player, sink) = await PlayAsync(server.LocalEndPoint.Port);
        await using (player)
        {
            Write(hub, source, MediaFramePool.Shared.Rent(MediaKind.Video, 40, MediaFrameFlags.Keyframe, [0x17, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x65]));
            Assert.True(SpinWait.SpinUntil(() => sink.Media >= 2 && sink.SawVideoSequenceHeader && sink.SawMetadata, Timeout), $"player got {sink.Media}");
        }

        // Drop the upstream connection: the publisher comes back and the server has the headers again.
        publisher.LiveClient!.Connection.Close(CloseReason.Local("test drops the link"));
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Retrying, Timeout), publisher.State.ToString());
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, Timeout), publisher.State.ToString());
        Assert.Equal(2, publisher.LiveSessions);
        var (again, againSink) = await PlayAsync(server.LocalEndPoint.Port);
        await using (again)
        {
            Assert.True(SpinWait.SpinUntil(() => againSink.SawVideoSequenceHeader && againSink.SawMetadata, Timeout), "headers were not sent again after the reconnect");
        }
    }

    [Fact]
    public async Task A_wrong_key_is_a_refusal_in_the_servers_words()
    {
        await using RtmpServer server = await StartServerAsync();
        var hub = new StreamHub("local");
        Assert.True(hub.TryStartPublishing(this));
        await using var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = RtmpUrl.Parse($"rtmp://127.0.0.1:{server.LocalEndPoint.Port}/live/cam?key=wrong") }, NullLogger.Instance);
        publisher.Start();
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Refused, Timeout), publisher.State.ToString());
        output.WriteLine(publisher.State.ToString());
        Assert.Contains("the publish key is wrong", publisher.State.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_sends_FCUnpublish_and_deleteStream_before_closing()
    {
        await using var server = new RecordingRtmpServer();
        var hub = new StreamHub("local");
        Assert.True(hub.TryStartPublishing(this));
        var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = RtmpUrl.Parse($"rtmp://127.0.0.1:{server.Port}/live/cam") }, NullLogger.Instance);
        publisher.Start();
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, Timeout), publisher.State.ToString());
        await publisher.DisposeAsync();
        Assert.Equal(PublisherStateKind.Stopped, publisher.State.Kind);
        Assert.True(SpinWait.SpinUntil(() => server.Commands.Contains("(closed)"), Timeout));
        Assert.Equal(["connect", "createStream", "releaseStream", "FCPublish", "publish", "FCUnpublish", "deleteStream", "(closed)"], server.Commands);
    }

    [Fact]
    public async Task A_source_that_is_not_producing_is_not_published_and_one_that_fails_while_live_is_unpublished_until_it_is_back()
    {
        await using var server = new RecordingRtmpServer();
        var hub = new StreamHub("local");
        Assert.True(hub.TryStartPublishing(this));
        var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = RtmpUrl.Parse($"rtmp://127.0.0.1:{server.Port}/live/cam") }, NullLogger.Instance);
        var states = new List<PublisherStateKind>();
        publisher.StateChanged += (_, state) =>
        {
            lock (states) states.Add(state.Kind);
        };

        // The stream is claimed but its camera is missing: the publisher waits, it does not go live on nothing.
        publisher.SetSourceReady(false);
        publisher.Start();
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.WaitingForSource, Timeout), publisher.State.ToString());

        // The camera produces: one session (nothing was published before), live.
        publisher.SetSourceReady(true);
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, Timeout), publisher.State.ToString());
        Assert.Equal(["connect", "createStream", "releaseStream", "FCPublish", "publish"], server.Commands);

        // The camera fails while live: unpublished at once (the upstream ends the broadcast), then live again when it is back.
        publisher.SetSourceReady(false);
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.WaitingForSource, Timeout), publisher.State.ToString());
        Assert.True(SpinWait.SpinUntil(() => server.Commands.Contains("deleteStream"), Timeout));
        publisher.SetSourceReady(true);
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, Timeout), publisher.State.ToString());
        Assert.Equal(2, publisher.LiveSessions);
        await publisher.DisposeAsync();
        lock (states)
        {
            Assert.Equal(
                [PublisherStateKind.Connecting, PublisherStateKind.Live, PublisherStateKind.WaitingForSource, PublisherStateKind.Connecting, PublisherStateKind.Live, PublisherStateKind.Stopped],
                states.SkipWhile(kind => kind == PublisherStateKind.WaitingForSource));
        }
    }

    [Fact]
    public async Task Steady_state_publishing_allocates_at_most_16_bytes_per_message()
    {
        await using RtmpServer server = await StartServerAsync();
        var hub = new StreamHub("local");
        object source = new();
        Assert.True(hub.TryStartPublishing(source));
        await using var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions { Url = RtmpUrl.Parse($"rtmp://127.0.0.1:{server.LocalEndPoint.Port}/live/cam?key=secret") }, NullLogger.Instance);
        publisher.Start();
        Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, Timeout), publisher.State.ToString());
        var (player, sink) = await PlayAsync(server.LocalEndPoint.Port);
        await using (player)
        {
            byte[] video = new byte[12_000];
            byte[] audio = new byte[340];
            new Random(1).NextBytes(video);
            video[1] = 0x01;
            audio[0] = 0xAF;
            audio[1] = 0x01;
            uint timestamp = 0;
            long sent = 0;
            long baseline = -1;

            void Publish(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    bool isVideo = i % 2 == 0;
                    bool keyframe = isVideo && i % 60 == 0;
                    video[0] = keyframe ? (byte)0x17 : (byte)0x27;
                    MediaFrame frame = MediaFramePool.Shared.Rent(isVideo ? MediaKind.Video : MediaKind.Audio, timestamp,
                        keyframe ? MediaFrameFlags.Keyframe : MediaFrameFlags.None, isVideo ? video : audio);
                    hub.Write(source, frame);
                    frame.Release();
                    timestamp += 16;
                    sent++;
                    if (sent % 50 == 0 && !SpinWait.SpinUntil(() => sink.Media - baseline >= sent, Timeout))
                    {
                        throw new TimeoutException($"the player fell behind: {sink.Media - baseline} of {sent}");
                    }
                }
            }

            long[] windows = await ProcessAllocation.MeasureAsync(
                () =>
                {
                    // Frames before the first keyframe are dropped by the connection's rule; count from there.
                    SpinWait.SpinUntil(() => false, 200);
                    baseline = sink.Media;
                    Publish(5_000);
                },
                () => Publish(10_000));
            long allocated = windows.Min();
            double perMessage = allocated / 10_000.0;
            output.WriteLine($"publish allocation: {allocated} bytes for 10,000 messages = {perMessage:0.00} bytes per message (hub, publisher, our server and a player included; windows {string.Join(", ", windows)} bytes)");
            Assert.True(perMessage <= 16, $"{perMessage:0.0} bytes per message");
            Assert.Equal(0, publisher.FramesDropped);
        }
    }
}
