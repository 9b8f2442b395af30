using EdgeRtmp.Configuration;
using EdgeRtmp.Media.TestCard;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline;

/// <summary>The source <c>Video:Source</c> asks for, and why it was chosen (logged once at start).</summary>
public sealed record VideoSourceChoice(IMediaSource? Source, string Reason);

/// <summary>
/// Makes the configured video source. What the configuration's text decides (a source this build cannot run, a size
/// the test card cannot make) throws <see cref="MediaSourceException"/>: it can never work, so the service stops with
/// why; never a fake. What the machine decides (a camera not plugged in yet) does not, with <c>waitForDevice</c>.
/// </summary>
public static class VideoSourceFactory
{
    /// <param name="waitForDevice">
    /// True for <c>run</c> (the box's service): a camera missing at start is waited for (<see cref="Camera.CameraDeviceSource"/>).
    /// False for <c>publish</c>, run by a person at a terminal: a missing camera throws, so the command exits with why.
    /// </param>
    public static VideoSourceChoice Create(AppSettings settings, PipelineClock clock, ILoggerFactory loggerFactory, bool waitForDevice = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var video = settings.Options.Video;
        switch (settings.Video.Kind)
        {
            case VideoSourceKind.None:
                return new VideoSourceChoice(null, "Video:Source is none");
            case VideoSourceKind.TestCard:
                return new VideoSourceChoice(CreateTestCard(video, clock), "Video:Source is testcard");
            case VideoSourceKind.Auto:
                return FromPlan(Camera.CameraSources.ChooseAuto(video, loggerFactory.CreateLogger("EdgeRtmp.Pipeline.Camera")).Chosen, video, clock, loggerFactory);
            case VideoSourceKind.Exec:
                return new VideoSourceChoice(
                    new ExecVideoSource(settings.Video.Argument!, clock, loggerFactory.CreateLogger("EdgeRtmp.Pipeline.Exec")),
                    "Video:Source is exec");
            case VideoSourceKind.File:
                return new VideoSourceChoice(new FileMediaSource(settings.Video.Argument!, clock), "Video:Source is file");
            case VideoSourceKind.V4l2:
                return waitForDevice
                    ? ForDevice(settings.Video.Argument!, video, clock, loggerFactory)
                    : FromPlan(Camera.CameraSources.ChooseForDevice(settings.Video.Argument!, video), video, clock, loggerFactory);
            default:
                throw new MediaSourceException("unknown video source " + settings.Video);
        }
    }

    /// <summary>
    /// <c>v4l2:DEVICE</c>: a camera that is missing or not usable at start is not a configuration error (the text names a
    /// device; whether it is plugged in is the machine's state, which changes). The source is made now when it can be,
    /// else by the pipeline's retries (<see cref="Camera.CameraDeviceSource"/>); the box serves meanwhile.
    /// </summary>
    private static VideoSourceChoice ForDevice(string device, VideoOptions video, PipelineClock clock, ILoggerFactory loggerFactory)
    {
        ILogger logger = loggerFactory.CreateLogger("EdgeRtmp.Pipeline.Camera");
        VideoSourceChoice Create() => FromPlan(Camera.CameraSources.ChooseForDevice(device, video), video, clock, loggerFactory);
        try
        {
            VideoSourceChoice now = Create();
            return new VideoSourceChoice(new Camera.CameraDeviceSource(device, Create, clock.Time, logger, now.Source), now.Reason);
        }
        catch (MediaSourceException exception)
        {
            return new VideoSourceChoice(
                new Camera.CameraDeviceSource(device, Create, clock.Time, logger),
                exception.Message + "; serving without it and trying again with backoff, at once when the device node appears");
        }
    }

    private static VideoSourceChoice FromPlan(Camera.CameraPlan plan, VideoOptions video, PipelineClock clock, ILoggerFactory loggerFactory) => plan.Route switch
    {
        Camera.CameraRoute.TestCard => new VideoSourceChoice(CreateTestCard(video, clock), plan.Reason),
        Camera.CameraRoute.Rpicam => new VideoSourceChoice(
            new ExecVideoSource(video.Command, clock, loggerFactory.CreateLogger("EdgeRtmp.Pipeline.Exec")), plan.Reason),
        _ => new VideoSourceChoice(
            new Camera.CameraVideoSource(plan, video, clock, loggerFactory.CreateLogger("EdgeRtmp.Pipeline.Camera")), plan.Reason),
    };

    private static TestCardVideoSource CreateTestCard(VideoOptions video, PipelineClock clock)
    {
        var options = new TestCardOptions
        {
            Width = video.Width,
            Height = video.Height,
            FramesPerSecond = video.Fps,
            KeyframeInterval = video.KeyframeInterval,
            BitrateKbps = video.BitrateKbps,
        };
        try
        {
            return new TestCardVideoSource(options, clock);
        }
        catch (ArgumentException exception)
        {
            throw new MediaSourceException("testcard: " + exception.Message, exception);
        }
    }
}
