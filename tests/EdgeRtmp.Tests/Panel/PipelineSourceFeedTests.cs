using System.Device.Gpio;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Panel;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Panel;

/// <summary>
/// The pipeline's source condition on the panel's lines: a real <see cref="MediaPipeline"/> on a fake clock, a source
/// that fails its first run, and a <see cref="GpioPanel"/> over the fake driver. No sleeping: the restart delay is
/// passed by advancing the clock once the pipeline waits on it.
/// </summary>
public sealed class PipelineSourceFeedTests
{
    private const int Status = 0, Error = 1, Viewer = 2, Live = 3;
    private static readonly GpioPanelLines Lines = new(Status, Error, Viewer, Live, -1);
    private static readonly TimeSpan s_restart = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_source_failing_at_its_first_start_lights_the_error_led_until_it_makes_a_frame()
    {
        var pipelineTime = new ObservedTimeProvider();
        var source = new FailingFirstSource();
        var pipeline = new MediaPipeline(source, new StreamHub("live/cam"), new PipelineClock(pipelineTime), NullLogger.Instance,
            new RestartPolicy(s_restart, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1)));
        var failed = new TaskCompletionSource<MediaSourceFailure>(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.Failed += failure => failed.TrySetResult(failure);
        using var stop = new CancellationTokenSource();

        // The pipeline fails before the panel exists, as the box's does when the panel service starts after it.
        Task<bool> running = pipeline.RunAsync(stop.Token);
        Assert.Equal("camera: /dev/video0 vanished", (await failed.Task.WaitAsync(s_timeout)).Reason);
        Assert.Equal(SourceCondition.Failed, pipeline.Condition);

        var driver = new FakeGpioDriver(8);
        using var gpio = new GpioPanel(driver, Lines, buttonsActiveLow: false,
            new PanelOptions(UpstreamCount: 0, UpstreamWanted: true, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(GpioPanel.DebounceMs)),
            new FakeTimeProvider());
        using var feed = new PipelineSourceFeed(pipeline, gpio.Panel);
        Assert.Equal(PinValue.High, driver.Value(Error));
        Assert.Equal(LedPattern.SlowBlink, gpio.Panel.Leds.Status);

        // The restart: the second run makes a frame, and the error clears; with no upstream the status LED goes solid.
        await pipelineTime.WaitForTimerAsync(s_restart);
        pipelineTime.Advance(s_restart);
        await source.Producing.Task.WaitAsync(s_timeout);
        Assert.Equal(SourceCondition.Producing, pipeline.Condition);
        Assert.Equal(PinValue.Low, driver.Value(Error));
        Assert.Equal(LedPattern.On, gpio.Panel.Leds.Status);
        Assert.Equal(PinValue.High, driver.Value(Status));

        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task A_source_that_fails_while_the_panel_watches_lights_the_error_led()
    {
        var pipelineTime = new ObservedTimeProvider();
        var source = new FailingFirstSource();
        var pipeline = new MediaPipeline(source, new StreamHub("live/cam"), new PipelineClock(pipelineTime), NullLogger.Instance,
            new RestartPolicy(s_restart, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1)));
        var leds = new bool[3];
        using var panel = new BoxPanel(new PanelOptions(0, true, TimeSpan.FromSeconds(3), TimeSpan.Zero), (led, lit) => leds[(int)led] = lit, new FakeTimeProvider());
        using var feed = new PipelineSourceFeed(pipeline, panel);
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.ConditionChanged += condition =>
        {
            if (condition == SourceCondition.Failed)
            {
                failed.TrySetResult();
            }
        };
        Assert.False(leds[(int)PanelLed.Error]);
        using var stop = new CancellationTokenSource();

        Task<bool> running = pipeline.RunAsync(stop.Token);
        await failed.Task.WaitAsync(s_timeout);
        Assert.True(leds[(int)PanelLed.Error]);

        await pipelineTime.WaitForTimerAsync(s_restart);
        pipelineTime.Advance(s_restart);
        await source.Producing.Task.WaitAsync(s_timeout);
        Assert.False(leds[(int)PanelLed.Error]);

        await stop.CancelAsync();
        Assert.True(await running.WaitAsync(s_timeout));
    }

    /// <summary>Its first run fails at once (a device gone); later runs make one keyframe and wait for cancellation.</summary>
    private sealed class FailingFirstSource : IMediaSource
    {
        private int _runs;

        public string Description => "camera";

        /// <summary>Completed once a run has written its frame.</summary>
        public TaskCompletionSource Producing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _runs) == 1)
            {
                throw new MediaSourceException("camera: /dev/video0 vanished");
            }

            MediaFrame frame = MediaFramePool.Shared.Rent(MediaKind.Video, 0, MediaFrameFlags.Keyframe, [0x17, 1, 0, 0, 0]);
            try
            {
                sink.Write(frame);
            }
            finally
            {
                frame.Release();
            }

            Producing.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
