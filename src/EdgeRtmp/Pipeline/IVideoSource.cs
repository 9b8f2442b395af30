using EdgeRtmp.Media;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// Something that makes the stream's frames: the test card, an encoder's stdout, an FLV file. A source emits the
/// frames a player needs in order (metadata, sequence header, then media starting at a keyframe), stamped from the
/// <see cref="PipelineClock"/>.
/// </summary>
public interface IVideoSource
{
    /// <summary>What runs, for logs and the systemd status line ("testcard 640x360@30").</summary>
    string Description { get; }

    /// <summary>
    /// Produces frames into <paramref name="sink"/> until <paramref name="cancellationToken"/> is cancelled (then it
    /// returns or throws <see cref="OperationCanceledException"/>). A failure (a child process exited, a file became
    /// unreadable) throws, typically <see cref="VideoSourceException"/>; the pipeline logs it and runs the source again.
    /// </summary>
    Task RunAsync(IVideoFrameSink sink, CancellationToken cancellationToken);
}

/// <summary>Where a source hands its frames. The frame is borrowed for the call; keep it with <see cref="MediaFrame.AddReference"/>.</summary>
public interface IVideoFrameSink
{
    void OnFrame(MediaFrame frame);
}

/// <summary>A source cannot run or stopped working; the message says which source and why.</summary>
public sealed class VideoSourceException : Exception
{
    public VideoSourceException(string message)
        : base(message)
    {
    }

    public VideoSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public VideoSourceException()
    {
    }
}
