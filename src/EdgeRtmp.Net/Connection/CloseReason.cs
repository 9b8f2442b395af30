namespace EdgeRtmp.Net.Connection;

/// <summary>Why a connection closed, as a kind code can act on; the <see cref="CloseReason.Detail"/> is for people.</summary>
public enum CloseReasonKind
{
    /// <summary>The peer ended the connection in order (TCP FIN).</summary>
    PeerClosed,
    /// <summary>The peer broke the protocol (a malformed chunk, a command before connect).</summary>
    ProtocolError,
    /// <summary>The handshake failed or did not finish in time.</summary>
    HandshakeFailed,
    /// <summary>Nothing arrived for the idle timeout.</summary>
    IdleTimeout,
    /// <summary>The peer did not read what we queued (queue overflow or stall).</summary>
    SlowPeer,
    /// <summary>We refused the peer (wrong key, unknown application, address not allowed) and hung up.</summary>
    Refused,
    /// <summary>Reading or writing the transport failed (reset, broken pipe, TLS error).</summary>
    TransportFailed,
    /// <summary>The server or the host is stopping.</summary>
    Stopping,
    /// <summary>We closed it on purpose (the publisher unpublished, the owner disposed it).</summary>
    Local,
}

/// <summary>
/// Why a connection closed: a <see cref="CloseReasonKind"/> to act on and a one-line detail for logs
/// ("the peer did not read 8388608 queued bytes"). <see cref="ToString"/> is the detail.
/// </summary>
public sealed record CloseReason(CloseReasonKind Kind, string Detail)
{
    public static CloseReason PeerClosed { get; } = new(CloseReasonKind.PeerClosed, "the peer closed the connection");

    public static CloseReason ServerStopping { get; } = new(CloseReasonKind.Stopping, "the server is stopping");

    public static CloseReason Protocol(string detail) => new(CloseReasonKind.ProtocolError, detail);

    public static CloseReason Local(string detail) => new(CloseReasonKind.Local, detail);

    public static CloseReason TransportFailed(string detail) => new(CloseReasonKind.TransportFailed, detail);

    public override string ToString() => Detail;
}
