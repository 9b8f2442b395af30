using EdgeRtmp.Media;

namespace EdgeRtmp.Pipeline;

/// <summary>
/// Something that makes the stream's audio, video or both: the test card, an encoder's stdout, an FLV file, and the
/// camera, microphone and tone sources. A <see cref="MediaPipeline"/> runs every source of a stream side by side,
/// watches each for stalls and restarts it when it fails. See docs/ARCHITECTURE.md, "Media sources".
/// <para>
/// What a source emits, through <see cref="IMediaSink.Write"/>, in this order: its <c>onMetaData</c> (a
/// <see cref="MediaKind.Data"/> frame flagged <see cref="MediaFrameFlags.Metadata"/>, describing what this source
/// makes; the pipeline merges those of the stream's sources into one), its sequence header (flagged
/// <see cref="MediaFrameFlags.SequenceHeader"/>: AVCDecoderConfigurationRecord, AudioSpecificConfig) before the first
/// frame and again when it changes, then media as FLV tag bodies, video starting at a keyframe. Timestamps are RTMP
/// milliseconds from the <see cref="PipelineClock"/> the source was made with (one per pipeline, shared by its
/// sources), increasing per kind. What is ready together (a keyframe with its headers) goes in one
/// <see cref="IMediaSink.Write"/>: it leaves in one gathered write per player.
/// </para>
/// </summary>
public interface IMediaSource
{
    /// <summary>What runs, for logs and the systemd status line ("testcard 640x360@30", "tone 440 Hz").</summary>
    string Description { get; }

    /// <summary>
    /// Produces frames into <paramref name="sink"/> until <paramref name="cancellationToken"/> is cancelled, then
    /// returns or throws <see cref="OperationCanceledException"/>. A failure (a device vanished, a child process
    /// exited, a file became unreadable) throws, typically <see cref="MediaSourceException"/> with the reason; so does
    /// ending by itself. The pipeline logs the reason and calls <see cref="RunAsync"/> again after a backoff, so a
    /// run starts from scratch: open the device again, send the sequence header again. A run that makes no frame for
    /// the stall timeout is cancelled and counts as failed. Called once at a time.
    /// </summary>
    Task RunAsync(IMediaSink sink, CancellationToken cancellationToken);
}

/// <summary>
/// A source that can tell when running it again is worth it before its restart delay is up: the device node it
/// needs has appeared. After a failure the pipeline waits for the delay or for this, whichever comes first, so a
/// camera plugged in during a 30 s backoff streams at once.
/// </summary>
public interface IMediaSourceRetryHint
{
    /// <summary>
    /// Completes when a new run may succeed where the last one failed, for a failure the source can watch; otherwise
    /// never (the restart delay decides). Ends with <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task WaitUntilWorthRetryingAsync(CancellationToken cancellationToken);
}

/// <summary>A source cannot run or stopped working; the message says which source and why.</summary>
public sealed class MediaSourceException : Exception
{
    public MediaSourceException(string message)
        : base(message)
    {
    }

    public MediaSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MediaSourceException()
    {
    }
}
