namespace EdgeRtmp.Protocol;

/// <summary>
/// Caps on what a peer may make us hold. Every one of them is checked before memory is taken,
/// so no allocation is ever sized by an attacker beyond these numbers.
/// </summary>
public sealed record RtmpLimits
{
    public static RtmpLimits Default { get; } = new();

    /// <summary>Largest message length we accept (the wire allows 16 MiB - 1).</summary>
    public int MaxMessageLength { get; init; } = 8 * 1024 * 1024;

    /// <summary>Largest chunk size a peer may set (the spec allows up to 0x7FFFFFFF; real peers use at most 65536).</summary>
    public int MaxChunkSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>How many chunk streams may hold state (a partial message or a previous header) at once.</summary>
    public int MaxChunkStreams { get; init; } = 64;

    /// <summary>How deep AMF objects and arrays may nest.</summary>
    public int MaxAmfDepth { get; init; } = 32;

    /// <summary>How many properties or elements one AMF object or array may hold.</summary>
    public int MaxAmfElements { get; init; } = 1024;
}
