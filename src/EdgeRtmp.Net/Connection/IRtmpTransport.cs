using System.Net;

namespace EdgeRtmp.Net.Connection;

/// <summary>The byte pipe under a connection: a plain socket, or a TLS stream for RTMPS.</summary>
public interface IRtmpTransport : IAsyncDisposable
{
    EndPoint? RemoteEndPoint { get; }

    /// <summary>Receives into <paramref name="buffer"/>; 0 means the peer closed.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when bytes (or the peer's end) are there to receive, without a buffer: a connection that is idle
    /// between reads (a player sends an acknowledgement every few seconds) holds none while it waits. A transport that
    /// cannot wait this way completes at once.
    /// </summary>
    ValueTask WaitUntilReadableAsync(CancellationToken cancellationToken) => default;

    /// <summary>Sends every byte of every segment, in order, as one gathered write where the transport can.</summary>
    ValueTask SendAsync(IList<ArraySegment<byte>> segments, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="TrySendInline"/> works (a socket) or every send goes through <see cref="SendAsync"/> (TLS).</summary>
    bool SupportsInlineSend { get; }

    /// <summary>
    /// Starts a gathered send on the caller's thread without waiting: true when every byte went at once;
    /// false when the rest continues in the background, and <paramref name="completed"/> is then called with
    /// <paramref name="state"/> (and the error, if any) when it ends. One inline send at a time, never
    /// overlapping <see cref="SendAsync"/>.
    /// </summary>
    bool TrySendInline(IList<ArraySegment<byte>> segments, Action<object, Exception?> completed, object state);

    /// <summary>Tears the transport down at once; pending operations fail.</summary>
    void Abort();

    /// <summary>
    /// Ends our sending direction in order (TCP FIN, TLS close_notify) after everything already sent, so the
    /// peer reads it all before it sees the end. <see cref="Abort"/> resets and may discard unread bytes.
    /// </summary>
    ValueTask ShutdownSendAsync() => default;
}
