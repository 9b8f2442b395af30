namespace EdgeRtmp.Protocol.Handshake;

/// <summary>Which handshake the two peers ended up speaking.</summary>
public enum HandshakeKind
{
    /// <summary>Not decided yet: the peer's C1 (server) or S1 (client) has not arrived.</summary>
    Pending = 0,

    /// <summary>The RTMP 1.0 specification handshake: C2/S2 echo the peer's C1/S1.</summary>
    Simple,

    /// <summary>The Flash Player 9 "digest" handshake: HMAC-SHA256 digests in C1/S1 and signed C2/S2.</summary>
    Complex,
}
