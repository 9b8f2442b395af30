using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Streams;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// Plays an FLV file in a loop (<c>file:PATH.flv</c>) as if it were live, through <see cref="FlvPacer"/>: every tag
/// (video, audio, script) becomes a frame at the time its timestamp says, stamped on the pipeline clock from when the
/// run started, never early. Timestamps keep increasing across loops (<see cref="FlvLoopReader"/>). The file's own
/// <c>onMetaData</c> and sequence headers pass through, flagged so the hub keeps them for late joiners.
/// </summary>
public sealed class FileVideoSource : IVideoSource
{
    private readonly PipelineClock _clock;

    public FileVideoSource(string path, PipelineClock clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(clock);
        Path = path;
        _clock = clock;
    }

    public string Path { get; }

    public string Description => "file " + System.IO.Path.GetFileName(Path);

    public async Task RunAsync(IVideoFrameSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Stream file;
        try
        {
            file = FlvPacer.OpenFile(Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new VideoSourceException($"file: cannot open {Path}: {exception.Message}", exception);
        }

        // Each tag at its time (no burst): a file stands in for a camera, and local players start from it at once.
        var options = new FlvPacingOptions { Loop = true, TimestampOrigin = () => _clock.Now };
        try
        {
            await FlvPacer.RunAsync(file, options, sink.OnFrame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or MediaFormatException)
        {
            throw new VideoSourceException($"file: cannot read {Path}: {exception.Message}", exception);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new VideoSourceException($"file: {Path} holds no audio, video or script tags");
    }
}
