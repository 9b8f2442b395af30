using System.Net;
using System.Runtime.CompilerServices;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace EdgeRtmp.Net.Connection;

/// <summary>
/// A TCP socket. Sends are gathered writes (one sendmsg for several segments) through one reused
/// <see cref="SocketAsyncEventArgs"/>, so the steady state allocates nothing; receives use the
/// runtime's cached awaitable.
/// </summary>
public sealed class SocketTransport : IRtmpTransport
{
    private readonly Socket _socket;
    private readonly SendOperation _send = new();
    private readonly InlineSendOperation _inlineSend = new();

    public SocketTransport(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;

        // Kept: the address is logged after a close, when the socket can no longer tell it.
        RemoteEndPoint = socket.RemoteEndPoint;

    }

    public bool SupportsInlineSend => true;

    public bool TrySendInline(IList<ArraySegment<byte>> segments, Action<object, Exception?> completed, object state) =>
        _inlineSend.Start(_socket, segments, completed, state);

    public EndPoint? RemoteEndPoint { get; }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    /// <summary>A zero-byte receive: the runtime waits for readability (epoll) and reads nothing.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WaitUntilReadableAsync(CancellationToken cancellationToken) =>
        await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(IList<ArraySegment<byte>> segments, CancellationToken cancellationToken)
    {
        int expected = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            expected += segments[i].Count;
        }

        int sent = await _send.SendAsync(_socket, segments).ConfigureAwait(false);
        if (sent != expected)
        {
            throw new SocketException((int)SocketError.ConnectionReset);
        }
    }

    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Close(0);
    }

    public ValueTask ShutdownSendAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }

        return default;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _send.Dispose();
        _inlineSend.Dispose();
        return default;
    }

    private sealed class SendOperation : SocketAsyncEventArgs, IValueTaskSource<int>
    {
        private ManualResetValueTaskSourceCore<int> _core;

        public SendOperation() : base(unsafeSuppressExecutionContextFlow: true)
        {
            _core.RunContinuationsAsynchronously = true;
        }

        public ValueTask<int> SendAsync(Socket socket, IList<ArraySegment<byte>> segments)
        {
            _core.Reset();
            BufferList = segments;
            if (!socket.SendAsync(this))
            {
                Complete();
            }

            return new ValueTask<int>(this, _core.Version);
        }

        protected override void OnCompleted(SocketAsyncEventArgs e) => Complete();

        private void Complete()
        {
            if (SocketError == SocketError.Success)
            {
                _core.SetResult(BytesTransferred);
            }
            else
            {
                _core.SetException(new SocketException((int)SocketError));
            }
        }

        public int GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }

    /// <summary>
    /// A send that the caller starts and does not await: the socket tries it at once (no allocation, the same
    /// path as every SAEA send) and, when the kernel buffer is full, finishes it from the event loop.
    /// </summary>
    private sealed class InlineSendOperation : SocketAsyncEventArgs
    {
        private Action<object, Exception?>? _completed;
        private object? _state;

        public InlineSendOperation() : base(unsafeSuppressExecutionContextFlow: true)
        {
        }

        public bool Start(Socket socket, IList<ArraySegment<byte>> segments, Action<object, Exception?> completed, object state)
        {
            BufferList = segments;
            _completed = completed;
            _state = state;
            if (socket.SendAsync(this))
            {
                return false;
            }

            _completed = null;
            _state = null;
            if (SocketError != SocketError.Success)
            {
                throw new SocketException((int)SocketError);
            }

            return true;
        }

        protected override void OnCompleted(SocketAsyncEventArgs e)
        {
            Action<object, Exception?> completed = _completed!;
            object state = _state!;
            _completed = null;
            _state = null;
            completed(state, SocketError == SocketError.Success ? null : new SocketException((int)SocketError));
        }
    }
}
