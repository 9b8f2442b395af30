using System.Net;

namespace EdgeRtmp.Net.Connection;

/// <summary>The byte pipe under a connection: a plain socket, or a TLS stream for RTMPS.</summary>
public interface IRtmpTransport : IAsyncDisposable
{
    EndPoint? RemoteEndPoint { get; }

    /// <summary>Receives into <paramref name="buffer"/>; 0 means the peer closed.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Sends every byte of every segment, in order, as one gathered write where the transport can.</summary>
    ValueTask SendAsync(IList<ArraySegment<byte>> segments, CancellationToken cancellationToken);

    /// <summary>Tears the transport down at once; pending operations fail.</summary>
    void Abort();

    /// <summary>
    /// Ends our sending direction in order (TCP FIN, TLS close_notify) after everything already sent, so the
    /// peer reads it all before it sees the end. <see cref="Abort"/> resets and may discard unread bytes.
    /// </summary>
    ValueTask ShutdownSendAsync() => default;
}
