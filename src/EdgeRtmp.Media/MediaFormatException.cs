using System.Diagnostics.CodeAnalysis;

namespace EdgeRtmp.Media;

/// <summary>
/// The one exception the media layer throws: a container or codec payload violates its format
/// specification or one of our limits. The message names the offset and what was wrong.
/// </summary>
public sealed class MediaFormatException : Exception
{
    public MediaFormatException(string message) : base(message) { }

    /// <summary>Kept out of line so that hot methods that validate input stay small.</summary>
    [DoesNotReturn]
    public static void Throw(string message) => throw new MediaFormatException(message);
}
