namespace EdgeRtmp.Media;

/// <summary>
/// Where a source, an encoder or a packager hands the frames it makes: in the app, the media pipeline, which writes
/// them into the stream hub. Frames passed in one <see cref="Write"/> leave together: one gathered write per player
/// for all of them (a keyframe with its sequence header and metadata, a burst of a paced file), so hand over together
/// what is ready together.
/// </summary>
public interface IMediaSink
{
    /// <summary>
    /// Hands over <paramref name="frames"/>, in stream order. They are borrowed for the call: the caller keeps its
    /// references and releases them afterwards (<see cref="MediaBatch"/> does that). Never blocks on a player.
    /// </summary>
    void Write(ReadOnlySpan<MediaFrame> frames);
}

/// <summary>Shorthands over <see cref="IMediaSink"/>.</summary>
public static class MediaSinkExtensions
{
    /// <summary>Hands over one frame on its own (borrowed for the call).</summary>
    public static void Write(this IMediaSink sink, MediaFrame frame)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Write(new ReadOnlySpan<MediaFrame>(in frame));
    }
}
