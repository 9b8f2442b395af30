using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using EdgeRtmp.Media;
using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Handshake;
using EdgeRtmp.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Connection;

/// <summary>Handles the messages a connection reads. Called on the receive loop; must not block.</summary>
public interface IRtmpMessageHandler
{
    /// <summary>
    /// <paramref name="message"/>'s payload is valid only during the call. Aggregates arrive unpacked (one call per
    /// sub-message); a ping request has been answered already (both by <see cref="RtmpConnection"/>).
    /// </summary>
    void HandleMessage(RtmpConnection connection, in RtmpMessage message);

    /// <summary>
    /// Every message of one read has been handled: what they made (a publisher's video frame and the audio that came
    /// with it) can go out together now, as one batch into the stream hub.
    /// </summary>
    void HandleReadComplete(RtmpConnection connection)
    {
    }
}

/// <summary>
/// One RTMP connection, either role: the handshake, then a receive loop that feeds a <see cref="ChunkReader"/> and
/// dispatches messages to an <see cref="IRtmpMessageHandler"/>, answering what every RTMP peer must (acknowledgements,
/// ping requests) and unpacking aggregates, the same for server and client. Everything sent goes through its
/// <see cref="Output"/> queue. A connection closes once, with a <see cref="CloseReason"/>.
/// </summary>
public sealed class RtmpConnection : IAsyncDisposable
{
    private const int InitialReceiveBuffer = 2 * 1024;
    private const int MaxReceiveBuffer = 64 * 1024;

    private readonly IRtmpTransport _transport;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _closedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CloseReason? _closeReason;

    /// <summary>A polite close (<see cref="CloseAfterSendingAsync"/>) keeps its own reason when the peer hangs up first.</summary>
    private CloseReason? _closingReason;

    /// <summary>
    /// Players send little (acknowledgements, ping answers): between reads they hold no buffer, and read into a pooled
    /// 2 KiB one; a publisher whose reads fill it grows it (up to 64 KiB) and keeps its own.
    /// </summary>
    private byte[] _receiveBuffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBuffer);
    private int _received;
    private long _lastReceive;
    private Task _sendLoop = Task.CompletedTask;

    public RtmpConnection(IRtmpTransport transport, ILogger logger, RtmpLimits? limits = null, SendQueueOptions? queueOptions = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _time = time ?? TimeProvider.System;
        Reader = new ChunkReader(limits);
        Output = new SendQueue(transport, logger, queueOptions, _time, Close);
        _lastReceive = _time.GetTimestamp();
    }

    public ChunkReader Reader { get; }

    /// <summary>What this connection sends, in order: control, commands and media.</summary>
    public SendQueue Output { get; }

    public IRtmpTransport Transport => _transport;

    /// <summary>Our outgoing chunk size.</summary>
    public int OutgoingChunkSize => Output.ChunkSize;

    /// <summary>How long since bytes last arrived, on the connection's clock.</summary>
    public TimeSpan SinceLastReceive => _time.GetElapsedTime(Volatile.Read(ref _lastReceive));

    public bool IsClosed => _closed.IsCancellationRequested;

    public CancellationToken Closed => _closed.Token;

    /// <summary>Completes when the connection has closed.</summary>
    public Task Completion => _closedTask.Task;

    /// <summary>Why the connection closed, once it has.</summary>
    public CloseReason? CloseReason => Volatile.Read(ref _closeReason);

    public long DroppedFrames => Output.DroppedFrames;

    public long BytesSent => Output.BytesSent;

    /// <summary>Bytes waiting in the send queue.</summary>
    public int QueuedBytes => Output.QueuedBytes;

    /// <summary>Runs the handshake; bytes the peer sent after it stay for the chunk reader.</summary>
    public async Task HandshakeAsync(RtmpHandshake handshake, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        var output = new ArrayBufferWriter<byte>(RtmpHandshake.PacketLength * 2 + 1);
        handshake.Start(output);
        await FlushHandshakeAsync(output, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var input = new ReadOnlySequence<byte>(_receiveBuffer, 0, _received);
            bool complete = handshake.TryAdvance(ref input, output);
            Compact(input);
            await FlushHandshakeAsync(output, cancellationToken).ConfigureAwait(false);
            if (complete)
            {
                _sendLoop = Output.StartSendLoop();
                return;
            }

            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new RtmpProtocolException($"The peer closed the connection during the handshake after {_received} bytes.");
            }
        }
    }

    /// <summary>
    /// Reads messages and hands them to <paramref name="handler"/> until the peer closes, the connection is
    /// closed, or the peer breaks the protocol (then the connection closes with the reason).
    /// </summary>
    public async Task ReceiveLoopAsync(IRtmpMessageHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                var input = new ReadOnlySequence<byte>(_receiveBuffer, 0, _received);
                while (!_closed.IsCancellationRequested && Reader.TryReadMessage(ref input, out RtmpMessage message))
                {
                    Dispatch(handler, in message);
                }

                handler.HandleReadComplete(this);
                Compact(input);
                if (Reader.TryGetAcknowledgement(out uint sequenceNumber))
                {
                    Send(sequenceNumber, static (writer, output, sequence) => ProtocolControl.WriteAcknowledgement(writer, output, sequence));
                }

                if (!await ReceiveAsync(linked.Token).ConfigureAwait(false))
                {
                    Close(CloseReason.PeerClosed);
                    return;
                }
            }
        }
        catch (RtmpProtocolException error)
        {
            Close(CloseReason.Protocol($"protocol error: {error.Message}"));
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            Close(cancellationToken.IsCancellationRequested ? CloseReason.ServerStopping : CloseReason ?? CloseReason.Local("closed"));
        }
        catch (Exception error) when (error is SocketException or IOException or ObjectDisposedException)
        {
            Close(CloseReason.TransportFailed($"receive failed: {error.Message}"));
        }
    }

    /// <summary>What every peer does the same: ping requests answered (7.1.7), aggregates unpacked (7.1.6).</summary>
    private void Dispatch(IRtmpMessageHandler handler, in RtmpMessage message)
    {
        switch (message.Type)
        {
            case RtmpMessageType.UserControl:
                UserControlEvent control = UserControlEvent.Read(message.Payload.Span);
                if (control.Type == UserControlEventType.PingRequest)
                {
                    Send(control.Timestamp, static (writer, output, timestamp) => UserControlEvent.PingResponse(timestamp).Write(writer, output));
                }

                handler.HandleMessage(this, in message);
                break;
            case RtmpMessageType.Aggregate:
                var aggregate = new AggregateReader(message.Header, message.Payload.Span);
                while (aggregate.TryReadNext(out MessageHeader header, out ReadOnlySpan<byte> body))
                {
                    var part = new RtmpMessage(message.ChunkStreamId, header, message.Payload.Slice(aggregate.PayloadOffset, body.Length));
                    handler.HandleMessage(this, in part);
                }

                break;
            default:
                handler.HandleMessage(this, in message);
                break;
        }
    }

    /// <summary>Queues a control message (<see cref="SendQueue.Send"/>).</summary>
    public void Send<TState>(TState state, Action<ChunkWriter, IBufferWriter<byte>, TState> write) => Output.Send(state, write);

    /// <summary>Queues a command or data message (<see cref="SendQueue.SendCommand"/>).</summary>
    public void SendCommand<TState>(uint messageStreamId, TState state, Action<IBufferWriter<byte>, TState> writePayload, RtmpMessageType type = RtmpMessageType.CommandAmf0) =>
        Output.SendCommand(messageStreamId, state, writePayload, type);

    /// <summary>Queues a media frame (<see cref="SendQueue.EnqueueMedia"/>).</summary>
    public bool EnqueueMedia(MediaFrame frame, uint messageStreamId, bool flush = true) => Output.EnqueueMedia(frame, messageStreamId, flush);

    /// <summary>Starts sending what is queued (<see cref="SendQueue.Flush"/>).</summary>
    public void Flush() => Output.Flush();

    /// <summary>Drops video until the next keyframe (a player that unpauses, a publisher that reconnects).</summary>
    public void RequireKeyframe() => Output.RequireKeyframe();

    /// <summary>Closes the connection once: pending sends are abandoned, the receive loop ends.</summary>
    public void Close(CloseReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (Interlocked.CompareExchange(ref _closeReason, Volatile.Read(ref _closingReason) ?? reason, null) is not null)
        {
            return;
        }

        _closed.Cancel();
        _transport.Abort();
        Output.Close();
        _closedTask.TrySetResult();
    }

    /// <summary>
    /// A polite goodbye (a refusal, an unpublish): waits until what is queued has been sent, ends our side with a
    /// FIN, gives the peer until <paramref name="timeout"/> (from the call) to read it and hang up, then closes.
    /// An immediate close resets the connection, and a reset makes the peer's kernel drop what it has not read yet:
    /// the very message that says why.
    /// </summary>
    public async Task CloseAfterSendingAsync(CloseReason reason, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Interlocked.CompareExchange(ref _closingReason, reason, null);
        using var expiry = new CancellationTokenSource(timeout, _time);
        Task expired = Task.Delay(Timeout.InfiniteTimeSpan, expiry.Token);
        await Task.WhenAny(Output.WhenDrained(), Completion, expired).ConfigureAwait(false);
        if (!IsClosed)
        {
            await _transport.ShutdownSendAsync().ConfigureAwait(false);
            await Task.WhenAny(Completion, expired).ConfigureAwait(false);
        }

        Close(reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close(CloseReason ?? CloseReason.Local("disposed"));
        try
        {
            await _sendLoop.ConfigureAwait(false);
        }
        catch (Exception error) when (error is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
        Reader.Dispose();
        _closed.Dispose();
    }

    /// <summary>Pooled: this runs once per socket read, and a fresh state machine box each time would be the relay's main allocation.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_received == 0 && _receiveBuffer.Length == InitialReceiveBuffer)
        {
            // Nothing pending and never grown (a player): give the buffer back while the peer is quiet. 2 KiB of
            // each player's memory, most of the time.
            ArrayPool<byte>.Shared.Return(_receiveBuffer);
            _receiveBuffer = [];
            await _transport.WaitUntilReadableAsync(cancellationToken).ConfigureAwait(false);
            _receiveBuffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBuffer);
        }

        if (_received == _receiveBuffer.Length)
        {
            // Only the handshake can get here (the chunk reader consumes partial chunks).
            GrowReceiveBuffer();
        }

        int space = _receiveBuffer.Length - _received;
        int count = await _transport.ReceiveAsync(_receiveBuffer.AsMemory(_received), cancellationToken).ConfigureAwait(false);
        if (count == 0)
        {
            return false;
        }

        if (count == space && _receiveBuffer.Length < MaxReceiveBuffer)
        {
            // The read filled the buffer: more was waiting. Fewer, larger reads from here on.
            GrowReceiveBuffer();
        }

        _received += count;
        Volatile.Write(ref _lastReceive, _time.GetTimestamp());
        return true;
    }

    /// <summary>Doubles the receive buffer; a grown one is the connection's own, the pooled first one goes back.</summary>
    private void GrowReceiveBuffer()
    {
        byte[] bigger = new byte[_receiveBuffer.Length * 2];
        _receiveBuffer.CopyTo(bigger, 0);
        if (_receiveBuffer.Length == InitialReceiveBuffer)
        {
            ArrayPool<byte>.Shared.Return(_receiveBuffer);
        }

        _receiveBuffer = bigger;
    }

    private void Compact(ReadOnlySequence<byte> unconsumed)
    {
        int remaining = (int)unconsumed.Length;
        if (remaining > 0 && remaining != _received)
        {
            _receiveBuffer.AsSpan(_received - remaining, remaining).CopyTo(_receiveBuffer);
        }

        _received = remaining;
    }

    private async Task FlushHandshakeAsync(ArrayBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (output.WrittenCount == 0)
        {
            return;
        }

        byte[] bytes = output.WrittenSpan.ToArray();
        output.ResetWrittenCount();
        await _transport.SendAsync([new ArraySegment<byte>(bytes)], cancellationToken).ConfigureAwait(false);
    }
}
