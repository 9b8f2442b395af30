using EdgeRtmp.Media;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Camera;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Pipeline.Camera;

/// <summary>A <c>v4l2:DEVICE</c> camera that is not there at start: made by a later run, retried early when its node appears.</summary>
public class CameraDeviceSourceTests
{
    private const string Missing = "v4l2:/dev/video9 is not usable: /dev/video9: no such camera (unplugged, or its driver is not loaded)";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_run_before_the_camera_is_there_fails_with_the_reason_and_a_later_run_makes_the_camera_source_once()
    {
        bool present = false;
        int made = 0;
        var camera = new CountingSource();
        VideoSourceChoice Create()
        {
            if (!present)
            {
                throw new MediaSourceException(Missing);
            }

            made++;
            return new VideoSourceChoice(camera, "it gives H.264 itself");
        }

        var source = new CameraDeviceSource("/dev/video9", Create, new ObservedTimeProvider(), NullLogger.Instance, exists: _ => present);
        Assert.Equal("v4l2:/dev/video9 (not found yet)", source.Description);

        var failure = await Assert.ThrowsAsync<MediaSourceException>(() => source.RunAsync(new RecordingSink(), CancellationToken.None));
        Assert.Equal(Missing, failure.Message);
        Assert.Null(source.Camera);

        present = true;
        await source.RunAsync(new RecordingSink(), CancellationToken.None);
        await source.RunAsync(new RecordingSink(), CancellationToken.None);
        Assert.Equal(1, made);
        Assert.Equal(2, camera.Runs);
        Assert.Same(camera, source.Camera);
        Assert.Equal("counting camera", source.Description);
    }

    [Fact]
    public async Task A_node_that_has_just_appeared_is_given_a_moment_to_become_usable()
    {
        var time = new ObservedTimeProvider();
        int refusals = 2;
        var camera = new CountingSource();
        VideoSourceChoice Create() => refusals-- > 0
            ? throw new MediaSourceException("v4l2:/dev/video9 is not usable: /dev/video9: permission denied")
            : new VideoSourceChoice(camera, "raw, software encoder");
        var source = new CameraDeviceSource("/dev/video9", Create, time, NullLogger.Instance, exists: _ => true);

        Task run = source.RunAsync(new RecordingSink(), CancellationToken.None);
        for (int i = 0; i < 2; i++)
        {
            await time.WaitForTimerAsync(TimeSpan.FromMilliseconds(200));
            time.Advance(TimeSpan.FromMilliseconds(200));
        }

        await run.WaitAsync(s_timeout);
        Assert.Equal(1, camera.Runs);
    }

    [Fact]
    public async Task The_retry_hint_fires_when_the_device_node_appears()
    {
        using var directory = new TempDirectory();
        string device = Path.Combine(directory.Path, "video9");
        var source = new CameraDeviceSource(device, () => throw new MediaSourceException(Missing), new ObservedTimeProvider(), NullLogger.Instance);

        Task hint = source.WaitUntilWorthRetryingAsync(CancellationToken.None);
        Assert.False(hint.IsCompleted);
        await File.WriteAllTextAsync(device, "");
        await hint.WaitAsync(s_timeout);
    }

    [Fact]
    public async Task While_the_node_is_there_the_hint_leaves_the_restart_delay_to_decide()
    {
        using var directory = new TempDirectory();
        string device = Path.Combine(directory.Path, "video0");
        await File.WriteAllTextAsync(device, "");
        var time = new ObservedTimeProvider();
        var source = new CameraDeviceSource(device, () => throw new MediaSourceException("no route"), time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();

        Task hint = source.WaitUntilWorthRetryingAsync(stop.Token);
        time.Advance(TimeSpan.FromDays(1));
        Assert.False(hint.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hint);
    }

    private sealed class CountingSource : IMediaSource
    {
        private int _runs;

        public string Description => "counting camera";

        public int Runs => Volatile.Read(ref _runs);

        public Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            return Task.CompletedTask;
        }
    }
}
