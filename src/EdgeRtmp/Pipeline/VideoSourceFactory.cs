using EdgeRtmp.Configuration;
using EdgeRtmp.Media.TestCard;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Pipeline;

/// <summary>The source <c>Video:Source</c> asks for, and why it was chosen (logged once at start).</summary>
public sealed record VideoSourceChoice(IVideoSource? Source, string Reason);

/// <summary>Makes the configured video source. Sources this build cannot run throw <see cref="VideoSourceException"/>: never a fake.</summary>
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
                PipelineLog.AutoUsesTestCard(loggerFactory.CreateLogger("EdgeRtmp.Pipeline"));
                return new VideoSourceChoice(CreateTestCard(video, clock), "auto: no camera support in this build, so the test card");
            case VideoSourceKind.Exec:
                return new VideoSourceChoice(
                    new ExecVideoSource(settings.Video.Argument!, clock, loggerFactory.CreateLogger("EdgeRtmp.Pipeline.Exec")),
                    "Video:Source is exec");
            case VideoSourceKind.File:
                return new VideoSourceChoice(new FileVideoSource(settings.Video.Argument!, clock), "Video:Source is file");
            case VideoSourceKind.V4l2:
                throw new VideoSourceException("v4l2 capture is not available in this build (use testcard, exec:\"COMMAND\" or file:PATH.flv)");
            default:
                throw new VideoSourceException("unknown video source " + settings.Video);
        }
    }

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
            throw new VideoSourceException("testcard: " + exception.Message, exception);
        }
    }
}
