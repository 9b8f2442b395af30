using System.Diagnostics.CodeAnalysis;

namespace EdgeRtmp.Protocol;

/// <summary>
/// The one exception the protocol layer throws: the peer sent something that violates the RTMP
/// specification or one of our <see cref="RtmpLimits"/>. The message says what was wrong.
/// </summary>
public sealed class RtmpProtocolException : Exception
{
    public RtmpProtocolException(string message) : base(message) { }

    /// <summary>Kept out of line so that hot methods that validate input stay small.</summary>
    [DoesNotReturn]
    public static void Throw(string message) => throw new RtmpProtocolException(message);
}
