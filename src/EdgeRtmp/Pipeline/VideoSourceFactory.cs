using EdgeRtmp.Configuration;
using EdgeRtmp.Media.TestCard;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline;

/// <summary>The source <c>Video:Source</c> asks for, and why it was chosen (logged once at start).</summary>
public sealed record VideoSourceChoice(IMediaSource? Source, string Reason);

/// <summary>Makes the configured video source. Sources this build cannot run throw <see cref="MediaSourceException"/>: never a fake.</summary>
public static class VideoSourceFactory
{
    public static VideoSourceChoice Create(AppSettings settings, PipelineClock clock, ILoggerFactory loggerFactory)
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
                return FromPlan(Camera.CameraSources.ChooseForDevice(settings.Video.Argument!, video), video, clock, loggerFactory);
            default:
                throw new MediaSourceException("unknown video source " + settings.Video);
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
