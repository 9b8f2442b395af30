using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Net.Connection;

namespace EdgeRtmp.Net.Tests.TestSupport;

/// <summary>
/// Two connected in-memory <see cref="IRtmpTransport"/>s, like a socket pair: each direction buffers up to a
/// capacity (a socket's send and receive buffers), so a peer that stops reading fills it and the sender's inline
/// sends go on in the background, as they do on a real socket. Counts the gathered writes, for batching tests.
/// </summary>
public sealed class InMemoryTransport : IRtmpTransport
{
    private readonly Direction _incoming;
    private readonly Direction _outgoing;
    private int _sends;

    private InMemoryTransport(Direction incoming, Direction outgoing, EndPoint remote)
    {
        _incoming = incoming;
        _outgoing = outgoing;
        RemoteEndPoint = remote;
    }

    /// <summary>A connected pair; <paramref name="clientAddress"/> is what the server side sees as its peer.</summary>
    public static (InMemoryTransport Server, InMemoryTransport Client) CreatePair(IPAddress? clientAddress = null, int capacity = 64 * 1024)
    {
        var toServer = new Direction(capacity);
        var toClient = new Direction(capacity);
        var server = new InMemoryTransport(toServer, toClient, new IPEndPoint(clientAddress ?? IPAddress.Loopback, 50_000));
        var client = new InMemoryTransport(toClient, toServer, new IPEndPoint(IPAddress.Loopback, 1935));
        return (server, client);
    }

    public EndPoint? RemoteEndPoint { get; }

    public bool SupportsInlineSend => true;

    /// <summary>Gathered writes so far (inline or not).</summary>
    public int Sends => Volatile.Read(ref _sends);

    /// <summary>Whether this side has sent its FIN.</summary>
    public bool SendShutDown => _outgoing.Finished;

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        await _incoming.ReadAsync(buffer, cancellationToken);

    public async ValueTask SendAsync(IList<ArraySegment<byte>> segments, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sends);
        foreach (ArraySegment<byte> segment in segments)
        {
            await _outgoing.WriteAsync(segment, cancellationToken);
        }
    }

    public bool TrySendInline(IList<ArraySegment<byte>> segments, Action<object, Exception?> completed, object state)
    {
        Interlocked.Increment(ref _sends);
        for (int i = 0; i < segments.Count; i++)
        {
            int written = _outgoing.TryWrite(segments[i]);
            if (written < segments[i].Count)
            {
                // The buffer is full: the rest goes on in the background, as a socket's would.
                ArraySegment<byte>[] rest = [segments[i][written..], .. segments.Skip(i + 1)];
                _ = CompleteAsync(rest, completed, state);
                return false;
            }
        }

        return true;
    }

    public void Abort()
    {
        _incoming.Abort();
        _outgoing.Abort();
    }

    public ValueTask ShutdownSendAsync()
    {
        _outgoing.Finish();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        return default;
    }

    private async Task CompleteAsync(ArraySegment<byte>[] rest, Action<object, Exception?> completed, object state)
    {
        try
        {
            foreach (ArraySegment<byte> segment in rest)
            {
                await _outgoing.WriteAsync(segment, CancellationToken.None);
            }

            completed(state, null);
        }
        catch (Exception error)
        {
            completed(state, error);
        }
    }

    /// <summary>One direction: a bounded byte buffer with a FIN and a reset.</summary>
    private sealed class Direction(int capacity)
    {
        private readonly Lock _gate = new();
        private readonly Queue<byte> _bytes = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _finished;
        private bool _aborted;

        public bool Finished
        {
            get
            {
                lock (_gate)
                {
                    return _finished;
                }
            }
        }

        /// <summary>Bytes of <paramref name="data"/> that fit now.</summary>
        public int TryWrite(ReadOnlySpan<byte> data)
        {
            lock (_gate)
            {
                if (_aborted || _finished)
                {
                    throw new SocketException((int)SocketError.ConnectionReset);
                }

                int count = Math.Min(data.Length, capacity - _bytes.Count);
                foreach (byte value in data[..count])
                {
                    _bytes.Enqueue(value);
                }

                if (count > 0)
                {
                    Signal();
                }

                return count;
            }
        }

        public async Task WriteAsync(ArraySegment<byte> data, CancellationToken cancellationToken)
        {
            while (data.Count > 0)
            {
                Task changed;
                lock (_gate)
                {
                    changed = _changed.Task;
                }

                int written = TryWrite(data);
                data = data[written..];
                if (data.Count > 0 && written == 0)
                {
                    await changed.WaitAsync(cancellationToken);
                }
            }
        }

        public async Task<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (_aborted)
                    {
                        throw new SocketException((int)SocketError.ConnectionReset);
                    }

                    if (_bytes.Count > 0)
                    {
                        int count = Math.Min(buffer.Length, _bytes.Count);
                        Span<byte> span = buffer.Span;
                        for (int i = 0; i < count; i++)
                        {
                            span[i] = _bytes.Dequeue();
                        }

                        Signal();
                        return count;
                    }

                    if (_finished)
                    {
                        return 0;
                    }

                    changed = _changed.Task;
                }

                await changed.WaitAsync(cancellationToken);
            }
        }

        public void Finish()
        {
            lock (_gate)
            {
                _finished = true;
                Signal();
            }
        }

        public void Abort()
        {
            lock (_gate)
            {
                _aborted = true;
                Signal();
            }
        }

        private void Signal()
        {
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
