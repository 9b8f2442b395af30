namespace EdgeRtmp.Protocol.Handshake;

/// <summary>
/// Where the 764-byte digest block sits in a complex C1/S1. Both are in use: FFmpeg and librtmp
/// clients send <see cref="DigestFirst"/> for plain RTMP, Flash Player and RTMPE use <see cref="KeyFirst"/>.
/// A server answers with the scheme the client used.
/// </summary>
public enum HandshakeDigestScheme
{
    /// <summary>Scheme 0: digest block at offset 8, key block at 772; digest at 12 + (sum of bytes 8..11) % 728.</summary>
    DigestFirst = 0,

    /// <summary>Scheme 1: key block at offset 8, digest block at 772; digest at 776 + (sum of bytes 772..775) % 728.</summary>
    KeyFirst = 1,
}
