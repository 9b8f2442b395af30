using System.Security.Cryptography;

namespace EdgeRtmp.Protocol.Handshake;

/// <summary>
/// The HMAC-SHA256 arithmetic of the Flash Player 9 ("complex") handshake, as FFmpeg (libavformat/rtmpproto.c),
/// nginx-rtmp (ngx_rtmp_handshake.c), librtmp and SRS all do it. Adobe never published it; these constants are
/// what every interoperating implementation agrees on.
/// </summary>
/// <remarks>
/// <code>
///  C1/S1, 1536 bytes
///  0        4          8                               772                              1536
///  +--------+----------+-------------------------------+--------------------------------+
///  | time   | version  | block A (764)                 | block B (764)                  |
///  +--------+----------+-------------------------------+--------------------------------+
///  scheme 0 (DigestFirst): A is the digest block. Digest at 12 + (b[8]+b[9]+b[10]+b[11]) % 728.
///  scheme 1 (KeyFirst):    B is the digest block. Digest at 776 + (b[772]+..+b[775]) % 728.
///  digest = HMAC-SHA256(open key, the 1504 bytes of the packet around the 32-byte digest)
///
///  C2/S2 in the complex handshake
///  0                                                                         1504     1536
///  +---------------------------------------------------------------------------+--------+
///  | random                                                                    | sig    |
///  +---------------------------------------------------------------------------+--------+
///  sig = HMAC-SHA256(key = HMAC-SHA256(full key, peer's C1/S1 digest), data = bytes 0..1503)
/// </code>
/// The open keys are the ASCII texts; the full keys append the same 32 bytes to them.
/// The client signs C1 and C2 with the player key, the server signs S1 and S2 with the media-server key.
/// </remarks>
internal static class HandshakeDigest
{
    public const int PacketLength = 1536;
    public const int DigestLength = 32;
    public const int SignatureOffset = PacketLength - DigestLength;

    private const int DigestFirstBlockOffset = 8;
    private const int KeyFirstDigestBlockOffset = 772;
    private const int DigestBlockSpan = 728; // 764-byte block minus its 4 offset bytes and the 32-byte digest

    private static ReadOnlySpan<byte> KeySuffix =>
    [
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ];

    private static readonly byte[] s_clientFullKey = [.. "Genuine Adobe Flash Player 001"u8, .. KeySuffix];
    private static readonly byte[] s_serverFullKey = [.. "Genuine Adobe Flash Media Server 001"u8, .. KeySuffix];

    /// <summary>"Genuine Adobe Flash Player 001": signs and validates C1.</summary>
    public static ReadOnlySpan<byte> ClientKey => s_clientFullKey.AsSpan(0, 30);

    /// <summary>The 62-byte player key: derives the key that signs C2.</summary>
    public static ReadOnlySpan<byte> ClientFullKey => s_clientFullKey;

    /// <summary>"Genuine Adobe Flash Media Server 001": signs and validates S1.</summary>
    public static ReadOnlySpan<byte> ServerKey => s_serverFullKey.AsSpan(0, 36);

    /// <summary>The 68-byte media-server key: derives the key that signs S2.</summary>
    public static ReadOnlySpan<byte> ServerFullKey => s_serverFullKey;

    public static int GetDigestOffset(ReadOnlySpan<byte> packet, HandshakeDigestScheme scheme)
    {
        int block = scheme == HandshakeDigestScheme.DigestFirst ? DigestFirstBlockOffset : KeyFirstDigestBlockOffset;
        int sum = packet[block] + packet[block + 1] + packet[block + 2] + packet[block + 3];
        return sum % DigestBlockSpan + block + 4;
    }

    /// <summary>Writes the digest into <paramref name="packet"/> and returns where it put it.</summary>
    public static int Imprint(Span<byte> packet, HandshakeDigestScheme scheme, ReadOnlySpan<byte> key)
    {
        int offset = GetDigestOffset(packet, scheme);
        Span<byte> digest = stackalloc byte[DigestLength];
        Compute(packet, offset, key, digest);
        digest.CopyTo(packet.Slice(offset, DigestLength));
        return offset;
    }

    /// <summary>True when the packet carries a valid digest at <paramref name="scheme"/>; <paramref name="offset"/> says where.</summary>
    public static bool TryValidate(ReadOnlySpan<byte> packet, HandshakeDigestScheme scheme, ReadOnlySpan<byte> key, out int offset)
    {
        offset = GetDigestOffset(packet, scheme);
        Span<byte> expected = stackalloc byte[DigestLength];
        Compute(packet, offset, key, expected);
        return CryptographicOperations.FixedTimeEquals(expected, packet.Slice(offset, DigestLength));
    }

    /// <summary>Signs a C2/S2 whose first 1504 bytes are already filled, keyed from the peer's C1/S1 digest.</summary>
    public static void SignResponse(Span<byte> response, ReadOnlySpan<byte> peerDigest, ReadOnlySpan<byte> fullKey)
    {
        Span<byte> responseKey = stackalloc byte[DigestLength];
        HMACSHA256.HashData(fullKey, peerDigest, responseKey);
        HMACSHA256.HashData(responseKey, response[..SignatureOffset], response.Slice(SignatureOffset, DigestLength));
    }

    public static bool VerifyResponse(ReadOnlySpan<byte> response, ReadOnlySpan<byte> ourDigest, ReadOnlySpan<byte> fullKey)
    {
        Span<byte> responseKey = stackalloc byte[DigestLength];
        Span<byte> expected = stackalloc byte[DigestLength];
        HMACSHA256.HashData(fullKey, ourDigest, responseKey);
        HMACSHA256.HashData(responseKey, response[..SignatureOffset], expected);
        return CryptographicOperations.FixedTimeEquals(expected, response.Slice(SignatureOffset, DigestLength));
    }

    private static void Compute(ReadOnlySpan<byte> packet, int digestOffset, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        // HMACSHA256.HashData wants one contiguous message: the packet without its digest.
        Span<byte> message = stackalloc byte[PacketLength - DigestLength];
        packet[..digestOffset].CopyTo(message);
        packet[(digestOffset + DigestLength)..].CopyTo(message[digestOffset..]);
        HMACSHA256.HashData(key, message, destination);
    }
}
