using System.Security.Cryptography;

namespace EdgeRtmp.Protocol.Handshake;

/// <summary>Fills <paramref name="destination"/> with random bytes (<c>Random.NextBytes</c> fits, for deterministic tests).</summary>
public delegate void HandshakeRandomFill(Span<byte> destination);

/// <summary>
/// What one handshake needs from outside the protocol layer: the clock and the randomness are passed in,
/// so the handshake itself never reads either.
/// </summary>
public sealed record HandshakeOptions
{
    public static HandshakeOptions Default { get; } = new();

    /// <summary>Our timestamp in milliseconds, written to bytes 0..3 of C1/S1 (any epoch; peers only echo it).</summary>
    public uint Epoch { get; init; }

    /// <summary>Source of the random filler in C1/S1/C2/S2. Defaults to <see cref="RandomNumberGenerator.Fill"/>.</summary>
    public HandshakeRandomFill RandomFill { get; init; } = RandomNumberGenerator.Fill;

    /// <summary>Client: send a complex (digest) C1. A server that answers simply is accepted either way.</summary>
    public bool OfferComplex { get; init; } = true;

    /// <summary>Server: answer a C1 that carries a valid digest with a complex S1/S2. When false, always answer simply.</summary>
    public bool AcceptComplex { get; init; } = true;

    /// <summary>Client: where the digest goes in a complex C1.</summary>
    public HandshakeDigestScheme DigestScheme { get; init; } = HandshakeDigestScheme.DigestFirst;

    /// <summary>
    /// Client: the Flash Player version in bytes 4..7 of a complex C1. 9.0.124.2 is what FFmpeg sends;
    /// servers only look at whether it is non-zero.
    /// </summary>
    public uint ClientVersion { get; init; } = 0x09_00_7C_02;

    /// <summary>
    /// Server: the Flash Media Server version in bytes 4..7 of a complex S1. FFmpeg only checks the S1 digest
    /// (and then S2's signature) when the first byte is at least 3, so keep it there.
    /// </summary>
    public uint ServerVersion { get; init; } = 0x03_05_01_01;
}
