using System.Net;

namespace EdgeRtmp.Net.Connection;

/// <summary>
/// A stream (an <see cref="System.Net.Security.SslStream"/> for RTMPS). Streams have no gathered write,
/// so segments are copied into one buffer and written together — TLS copies them into records anyway.
/// </summary>
public sealed class StreamTransport(Stream stream, EndPoint? remoteEndPoint) : IRtmpTransport
{
    private byte[] _sendBuffer = new byte[64 * 1024];

    public EndPoint? RemoteEndPoint { get; } = remoteEndPoint;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        stream.ReadAsync(buffer, cancellationToken);

    public async ValueTask SendAsync(IList<ArraySegment<byte>> segments, CancellationToken cancellationToken)
    {
        int total = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            total += segments[i].Count;
        }

        if (_sendBuffer.Length < total)
        {
            _sendBuffer = new byte[Math.Max(total, _sendBuffer.Length * 2)];
        }

        int position = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            segments[i].AsSpan().CopyTo(_sendBuffer.AsSpan(position));
            position += segments[i].Count;
        }

        await stream.WriteAsync(_sendBuffer.AsMemory(0, total), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public bool SupportsInlineSend => false;

    public bool TrySendInline(IList<ArraySegment<byte>> segments, Action<object, Exception?> completed, object state) =>
        throw new NotSupportedException("A TLS stream has no inline send: use SendAsync.");

    public void Abort() => stream.Dispose();

    public async ValueTask ShutdownSendAsync()
    {
        try
        {
            if (stream is System.Net.Security.SslStream tls)
            {
                await tls.ShutdownAsync().ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
