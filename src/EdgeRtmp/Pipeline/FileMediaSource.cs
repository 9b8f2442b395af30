using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// Plays an FLV file in a loop (<c>file:PATH.flv</c>) as if it were live, through <see cref="FlvPacer"/>: every tag
/// (video, audio, script) becomes a frame at the time its timestamp says, stamped on the pipeline clock from when the
/// run started, never early. Timestamps keep increasing across loops (<see cref="FlvLoopReader"/>). The file's own
/// <c>onMetaData</c> and sequence headers pass through, flagged so the hub keeps them for late joiners.
/// </summary>
public sealed class FileMediaSource : IMediaSource
{
    private readonly PipelineClock _clock;

    public FileMediaSource(string path, PipelineClock clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(clock);
        Path = path;
        _clock = clock;
    }

    public string Path { get; }

    public string Description => "file " + System.IO.Path.GetFileName(Path);

    /// <summary>
    /// Zero (the default, <c>run</c>) sends each tag at its time: a file stands in for a camera. <c>publish</c> sends
    /// 100 ms bursts (<see cref="PublishBurst"/>): one wake-up and one gathered write per burst, and an upstream
    /// server buffers far more.
    /// </summary>
    public TimeSpan Burst { get; init; }

    /// <summary>The burst <c>publish file:</c> uses (docs/BENCHMARKS.md, publish CPU).</summary>
    public static TimeSpan PublishBurst { get; } = TimeSpan.FromMilliseconds(100);

    public async Task RunAsync(IMediaSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Stream file;
        try
        {
            file = FlvPacer.OpenFile(Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MediaSourceException($"file: cannot open {Path}: {exception.Message}", exception);
        }

        var options = new FlvPacingOptions { Loop = true, Burst = Burst, TimestampOrigin = () => _clock.Now };
        try
        {
            await FlvPacer.RunAsync(file, options, sink, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or MediaFormatException)
        {
            throw new MediaSourceException($"file: cannot read {Path}: {exception.Message}", exception);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new MediaSourceException($"file: {Path} holds no audio, video or script tags");
    }
}
