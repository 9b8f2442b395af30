using System.Net;
using EdgeRtmp.Configuration;
using EdgeRtmp.Hosting;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Server;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Hosting;

/// <summary>The push follows the box's own source: nothing goes "live" upstream while the camera is missing.</summary>
public class PushServiceSourceTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_push_waits_while_the_camera_is_missing_and_goes_live_with_its_first_frames()
    {
        await using var upstream = new RtmpServer(
            new RtmpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), PublishKey = "k" }, new StreamRegistry(), NullLoggerFactory.Instance);
        await upstream.StartAsync(CancellationToken.None);
        var registry = new StreamRegistry();
        StreamHub hub = registry.Acquire("live/cam");
        var time = new ObservedTimeProvider();
        var camera = new LateCamera();
        var pipeline = new MediaPipeline(camera, hub, new PipelineClock(time), NullLogger.Instance,
            new RestartPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1)));
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.Failed += _ => failed.TrySetResult();
        using var stop = new CancellationTokenSource();
        Task<bool> running = pipeline.RunAsync(stop.Token);
        await failed.Task.WaitAsync(s_timeout);

        var push = new PushService(registry, "live", "cam",
            [new PushTarget { Url = $"rtmp://127.0.0.1:{upstream.LocalEndPoint.Port}/live/up?key=k" }], NullLoggerFactory.Instance, () => pipeline);
        try
        {
            await push.StartAsync(CancellationToken.None);
            RtmpPublisher publisher = Assert.Single(push.Publishers);
            Assert.Equal(PublisherStateKind.WaitingForSource, publisher.State.Kind);
            Assert.Equal(0, publisher.LiveSessions);

            // The camera is plugged in: the pipeline runs it at once, and the push goes live by itself.
            camera.Appear();
            Assert.True(await publisher.WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, s_timeout), publisher.State.ToString());
            Assert.Equal(SourceCondition.Producing, pipeline.Condition);
            Assert.Equal(1, publisher.LiveSessions);
        }
        finally
        {
            await push.DisposeAsync();
            await stop.CancelAsync();
            await running.WaitAsync(s_timeout);
            registry.Release(hub);
        }
    }

    /// <summary>Fails each run until <see cref="Appear"/>, then makes a keyframe and waits; says when its device appears.</summary>
    private sealed class LateCamera : IMediaSource, IMediaSourceRetryHint
    {
        private readonly TaskCompletionSource _appeared = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Description => "late camera";

        public void Appear() => _appeared.TrySetResult();

        public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
        {
            if (!_appeared.Task.IsCompleted)
            {
                throw new MediaSourceException("v4l2:/dev/video9 is not usable: /dev/video9: no such camera");
            }

            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Video, 0, MediaFrameFlags.Keyframe, [0x17, 1, 0, 0, 0]);
            try
            {
                sink.Write(new ReadOnlySpan<MediaFrame>(in frame));
            }
            finally
            {
                frame.Release();
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public Task WaitUntilWorthRetryingAsync(CancellationToken cancellationToken) => _appeared.Task.WaitAsync(cancellationToken);
    }
}
