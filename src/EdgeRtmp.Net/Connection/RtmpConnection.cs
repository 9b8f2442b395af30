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
    /// <summary><paramref name="message"/>'s payload is valid only during the call.</summary>
    void HandleMessage(RtmpConnection connection, in RtmpMessage message);

    /// <summary>
    /// Every message of one read has been handled: what they made (a publisher's video frame and the audio that came
    /// with it) can go out together now, as one batch into the stream hub.
    /// </summary>
    void HandleReadComplete(RtmpConnection connection)
    {
    }
}

/// <summary>Bounds on what a connection queues for sending; see <see cref="RtmpConnection.EnqueueMedia"/>.</summary>
public sealed record SendQueueOptions
{
    /// <summary>Past this many queued bytes, video is dropped up to the next keyframe.</summary>
    public int MaxQueuedBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>A peer that keeps the queue over its limit this long is disconnected.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// One RTMP connection, either role: the handshake, a receive loop that feeds a <see cref="ChunkReader"/>,
/// and a single send loop that owns the socket's write side. Everything to send goes through one
/// ordered queue: control and command messages as bytes chunked at enqueue time, media as references
/// to shared <see cref="MediaFrame"/>s whose chunked body is built once for all connections; only the
/// first chunk header of each media message is written per connection, at send time. The send loop
/// coalesces queued messages into gathered writes.
/// </summary>
public sealed partial class RtmpConnection : IAsyncDisposable
{
    /// <summary>
    /// Segments per gathered write. The runtime keeps up to 8 iovecs on the stack for sendmsg; more
    /// would allocate per send (measured by the relay allocation test).
    /// </summary>
    private const int MaxSegmentsPerSend = 8;

    private readonly IRtmpTransport _transport;
    private readonly ILogger _logger;
    private readonly SendQueueOptions _queueOptions;
    private readonly Lock _gate = new();
    private readonly ChunkWriter _writer = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly ArrayBufferWriter<byte> _payloadScratch = new(256);
    private Queue<OutboundItem> _queue = new(SteadyQueueCapacity);
    private readonly AsyncSignal _sendSignal = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly byte[] _headerScratch = new byte[MaxSegmentsPerSend * ChunkReader.MaxChunkHeaderLength];
    private readonly List<ArraySegment<byte>> _segments = new(MaxSegmentsPerSend);
    private readonly List<OutboundItem> _inFlight = new(MaxSegmentsPerSend);
    private static readonly Action<object, Exception?> s_inlineSendCompleted = OnInlineSendCompleted;

    /// <summary>A batch (<see cref="_segments"/>, <see cref="_inFlight"/>) is out: by the send loop or inline.</summary>
    private bool _sending;
    private string? _closingReason;
    private const int InitialReceiveBuffer = 2 * 1024;

    /// <summary>
    /// Queue slots a live player needs; a late joiner's GOP replay grows the queue to a few hundred (8 KiB and more
    /// per player), and it is given back once that has been sent.
    /// </summary>
    private const int SteadyQueueCapacity = 32;
    private const int MaxReceiveBuffer = 64 * 1024;

    /// <summary>Players send little (acknowledgements): they keep 2 KiB; a publisher whose reads fill it grows it to 64 KiB.</summary>
    private byte[] _receiveBuffer = new byte[InitialReceiveBuffer];
    private int _received;
    private int _queuedBytes;
    private bool _needKeyframe = true;
    private long _overLimitSinceTicks;
    private long _droppedFrames;
    private Task _sendLoop = Task.CompletedTask;

    public RtmpConnection(IRtmpTransport transport, ILogger logger, RtmpLimits? limits = null, SendQueueOptions? queueOptions = null)
    {
        _transport = transport;
        _logger = logger;
        _queueOptions = queueOptions ?? new SendQueueOptions();
        Reader = new ChunkReader(limits);
        LastReceiveTicks = Environment.TickCount64;
    }

    public ChunkReader Reader { get; }

    public IRtmpTransport Transport => _transport;

    /// <summary>Our outgoing chunk size.</summary>
    public int OutgoingChunkSize
    {
        get
        {
            lock (_gate)
            {
                return _writer.ChunkSize;
            }
        }
    }

    /// <summary><see cref="Environment.TickCount64"/> when bytes last arrived.</summary>
    public long LastReceiveTicks { get; private set; }

    public bool IsClosed => _closed.IsCancellationRequested;

    public CancellationToken Closed => _closed.Token;

    /// <summary>Why the connection closed, once it has.</summary>
    public string? CloseReason { get; private set; }

    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    public long BytesSent { get; private set; }

    /// <summary>Bytes waiting in the send queue.</summary>
    public int QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>Runs the handshake; bytes the peer sent after it stay for the chunk reader.</summary>
    public async Task HandshakeAsync(RtmpHandshake handshake, CancellationToken cancellationToken)
    {
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
                _sendLoop = Task.Run(SendLoopAsync, CancellationToken.None);
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
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                var input = new ReadOnlySequence<byte>(_receiveBuffer, 0, _received);

                while (!_closed.IsCancellationRequested && Reader.TryReadMessage(ref input, out RtmpMessage message))
                {
                    handler.HandleMessage(this, in message);
                }

                handler.HandleReadComplete(this);

                Compact(input);
                if (Reader.TryGetAcknowledgement(out uint sequenceNumber))
                {
                    Send(sequenceNumber, static (writer, output, sequence) => ProtocolControl.WriteAcknowledgement(writer, output, sequence));
                }

                if (!await ReceiveAsync(linked.Token).ConfigureAwait(false))
                {
                    Close("the peer closed the connection");
                    return;
                }
            }
        }
        catch (RtmpProtocolException error)
        {
            Close($"protocol error: {error.Message}");
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            Close(cancellationToken.IsCancellationRequested ? "the server is stopping" : CloseReason ?? "closed");
        }
        catch (Exception error) when (error is SocketException or IOException or ObjectDisposedException)
        {
            Close($"receive failed: {error.Message}");
        }
    }

    /// <summary>
    /// Queues a control or command message: <paramref name="write"/> chunks it into the connection's
    /// writer at once (so chunk header state stays in queue order); it is sent after everything queued before it.
    /// </summary>
    public void Send<TState>(TState state, Action<ChunkWriter, IBufferWriter<byte>, TState> write)
    {
        lock (_gate)
        {
            if (IsClosed)
            {
                return;
            }

            _scratch.ResetWrittenCount();
            write(_writer, _scratch, state);
            byte[] bytes = ArrayPool<byte>.Shared.Rent(_scratch.WrittenCount);
            _scratch.WrittenSpan.CopyTo(bytes);
            _queue.Enqueue(new OutboundItem(null, 0, 0, bytes, _scratch.WrittenCount));
            _queuedBytes += _scratch.WrittenCount;
        }

        _sendSignal.Set();
    }

    /// <summary>
    /// Queues a command (type 20) or data (type 18) message on message stream <paramref name="messageStreamId"/>:
    /// <paramref name="writePayload"/> writes its AMF payload.
    /// </summary>
    public void SendCommand<TState>(uint messageStreamId, TState state, Action<IBufferWriter<byte>, TState> writePayload, RtmpMessageType type = RtmpMessageType.CommandAmf0)
    {
        lock (_gate)
        {
            _payloadScratch.ResetWrittenCount();
            writePayload(_payloadScratch, state);
            int chunkStreamId = type == RtmpMessageType.CommandAmf0 ? ChunkStreamIds.Command : ChunkStreamIds.Data;
            var header = new MessageHeader(0, _payloadScratch.WrittenCount, type, messageStreamId);
            Send((this, chunkStreamId, header), static (writer, output, s) => writer.WriteMessage(output, s.chunkStreamId, s.header, s.Item1._payloadScratch.WrittenSpan));
        }
    }

    /// <summary>
    /// Queues a media frame on message stream <paramref name="messageStreamId"/> and, with <paramref name="flush"/>,
    /// starts sending it (<see cref="Flush"/>); a hub subscriber passes false and flushes once per batch. The
    /// connection takes its own reference. Video waits for a keyframe at the start, after <see cref="RequireKeyframe"/>, and after
    /// an overflow; audio, data and sequence headers are always queued. A peer that keeps the queue over
    /// its limit for the stall timeout, or lets it reach twice the limit, is disconnected.
    /// </summary>
    /// <returns>False when the frame was not queued.</returns>
    public bool EnqueueMedia(MediaFrame frame, uint messageStreamId, bool flush = true)
    {
        lock (_gate)
        {
            if (IsClosed)
            {
                return false;
            }

            if (frame.Kind == MediaKind.Video && !frame.IsSequenceHeader)
            {
                if (_queuedBytes + frame.Length > _queueOptions.MaxQueuedBytes)
                {
                    if (_overLimitSinceTicks == 0)
                    {
                        _overLimitSinceTicks = Environment.TickCount64;
                        Log.SendQueueOverflow(_logger, _transport.RemoteEndPoint, _queuedBytes);
                    }

                    _needKeyframe = true;
                }
                else if (_needKeyframe && frame.IsKeyframe)
                {
                    _needKeyframe = false;
                    _overLimitSinceTicks = 0;
                }

                if (_needKeyframe)
                {
                    _droppedFrames++;
                    CheckStall();
                    return false;
                }
            }
            else if (_queuedBytes + frame.Length > 2 * _queueOptions.MaxQueuedBytes)
            {
                CloseLocked($"the peer did not read {_queuedBytes} queued bytes");
                return false;
            }

            // Metadata goes out at timestamp 0, as nginx-rtmp sends it: FFmpeg's FLV demuxer turns an onMetaData
            // with any other timestamp into a stray "text" data stream.
            uint timestamp = frame.IsMetadata ? 0 : frame.Timestamp;
            frame.AddReference();
            _queue.Enqueue(new OutboundItem(frame, messageStreamId, timestamp, null, 0));
            _queuedBytes += frame.Length;
        }

        if (flush)
        {
            Flush();
        }

        return true;
    }

    /// <summary>Starts sending what is queued: inline on the caller's thread when it can (<see cref="TryFlushInline"/>), else by the send loop.</summary>
    public void Flush()
    {
        if (!TryFlushInline())
        {
            _sendSignal.Set();
        }
    }

    /// <summary>
    /// When no send is under way, starts sending what is queued at once, on the caller's thread: no thread
    /// switch per message, which is most of the cost of a relay (nginx-rtmp writes from its event handler the
    /// same way). The send never waits: when the socket buffer is full it finishes in the background and the
    /// send loop takes over. False when the send loop must do it (a TLS transport).
    /// </summary>
    internal bool TryFlushInline()
    {
        if (!_transport.SupportsInlineSend)
        {
            return false;
        }

        lock (_gate)
        {
            // Batch after batch while the socket takes each at once; what a batch does not fit (more segments than
            // one gathered write carries) goes in the next, still on this thread.
            while (!_sending && TakeBatch())
            {
                bool done;
                try
                {
                    done = _transport.TrySendInline(_segments, s_inlineSendCompleted, this);
                }
                catch (Exception error) when (error is SocketException or ObjectDisposedException)
                {
                    CompleteBatch();
                    CloseLocked($"send failed: {error.Message}");
                    return true;
                }

                if (!done)
                {
                    // The send under way finishes in the background; its completion hands the rest to the send loop.
                    return true;
                }

                CompleteBatch();
            }
        }

        return true;
    }

    private static void OnInlineSendCompleted(object state, Exception? error)
    {
        var connection = (RtmpConnection)state;
        lock (connection._gate)
        {
            connection.CompleteBatch();
        }

        if (error is not null)
        {
            connection.Close($"send failed: {error.Message}");
        }
        else
        {
            // What was queued while the batch was out is the send loop's now.
            connection._sendSignal.Set();
        }
    }

    /// <summary>Drops video until the next keyframe (a player that unpauses, a publisher that reconnects).</summary>
    public void RequireKeyframe()
    {
        lock (_gate)
        {
            _needKeyframe = true;
        }
    }

    /// <summary>Closes the connection once: pending sends are abandoned, the receive loop ends.</summary>
    public void Close(string reason)
    {
        lock (_gate)
        {
            CloseLocked(reason);
        }
    }

    /// <summary>Sends what is queued, then closes (for a polite goodbye such as a refusal).</summary>
    public async Task CloseAfterSendingAsync(string reason, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (QueuedBytes > 0 && !IsClosed && Environment.TickCount64 < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        _closingReason = reason;

        // End our side with a FIN and give the peer a moment to read and hang up: an immediate close resets
        // the connection, and a reset makes the peer's kernel drop what it has not read yet — the very
        // message that says why we refused.
        await _transport.ShutdownSendAsync().ConfigureAwait(false);
        while (!IsClosed && Environment.TickCount64 < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        Close(reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close(CloseReason ?? "disposed");
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

    private void CheckStall()
    {
        if (_overLimitSinceTicks != 0 && Environment.TickCount64 - _overLimitSinceTicks > (long)_queueOptions.StallTimeout.TotalMilliseconds)
        {
            CloseLocked($"the peer could not keep up for {_queueOptions.StallTimeout.TotalSeconds:0} s ({_droppedFrames} video frames dropped)");
        }
    }

    private void CloseLocked(string reason)
    {
        if (IsClosed)
        {
            return;
        }

        // A polite close (CloseAfterSendingAsync) keeps its own reason when the peer hangs up first.
        CloseReason = _closingReason ?? reason;
        _closed.Cancel();
        _transport.Abort();
        while (_queue.TryDequeue(out OutboundItem item))
        {
            item.Release();
        }

        _queuedBytes = 0;
        _sendSignal.Set();
    }

    /// <summary>Pooled: this runs once per socket read, and a fresh state machine box each time would be the relay's main allocation.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_received == _receiveBuffer.Length)
        {
            // Only the handshake can get here (the chunk reader consumes partial chunks).
            Array.Resize(ref _receiveBuffer, _receiveBuffer.Length * 2);
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
            Array.Resize(ref _receiveBuffer, _receiveBuffer.Length * 2);
        }

        _received += count;
        LastReceiveTicks = Environment.TickCount64;
        return true;
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

    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                await _sendSignal.WaitAsync().ConfigureAwait(false);
                while (true)
                {
                    lock (_gate)
                    {
                        if (_sending || !TakeBatch())
                        {
                            break;
                        }
                    }

                    try
                    {
                        await _transport.SendAsync(_segments, _closed.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        lock (_gate)
                        {
                            CompleteBatch();
                        }
                    }
                }

                if (IsClosed)
                {
                    return;
                }
            }
        }
        catch (Exception error) when (error is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Close($"send failed: {error.Message}");
        }
    }

    /// <summary>
    /// Moves queued items into one gathered write (<see cref="_segments"/>) and marks it out. Under the lock;
    /// false when nothing is queued or the connection closed.
    /// </summary>
    private bool TakeBatch()
    {
        _segments.Clear();
        int headerOffset = 0;
        while (!IsClosed && _queue.TryPeek(out OutboundItem item))
        {
            int needed = item.Frame is null ? 1 : 2;
            if (_segments.Count + needed > MaxSegmentsPerSend)
            {
                break;
            }

            _queue.Dequeue();
            if (item.Frame is null)
            {
                _segments.Add(new ArraySegment<byte>(item.Bytes!, 0, item.Length));
                BytesSent += item.Length;
            }
            else
            {
                MediaFrame frame = item.Frame;
                int chunkStreamId = ChunkStreamIdFor(frame.Kind);
                var header = new MessageHeader(item.Timestamp, frame.Length, MediaMessageTypes.Of(frame.Kind), item.MessageStreamId);
                int headerLength = _writer.WriteFirstHeader(_headerScratch.AsSpan(headerOffset), chunkStreamId, header);
                _segments.Add(new ArraySegment<byte>(_headerScratch, headerOffset, headerLength));
                headerOffset += headerLength;
                if (!frame.TryGetChunkedBody(_writer.ChunkSize, chunkStreamId, item.Timestamp, out ArraySegment<byte> body))
                {
                    // Another connection fixed the shared body with other parameters: build our own.
                    int length = ChunkWriter.ChunkedBodyLength(frame.Length, _writer.ChunkSize, chunkStreamId, item.Timestamp);
                    byte[] own = ArrayPool<byte>.Shared.Rent(length);
                    ChunkWriter.WriteChunkedBody(own.AsSpan(0, length), frame.Span, _writer.ChunkSize, chunkStreamId, item.Timestamp);
                    body = new ArraySegment<byte>(own, 0, length);
                    item = item with { Bytes = own };
                }

                _segments.Add(body);
                BytesSent += headerLength + body.Count;
            }

            _inFlight.Add(item);
        }

        _sending = _segments.Count > 0;
        return _sending;
    }

    /// <summary>The batch is out (or failed): release what it held. Under the lock.</summary>
    private void CompleteBatch()
    {
        int bytes = 0;
        foreach (OutboundItem item in _inFlight)
        {
            bytes += item.QueuedLength;
            item.Release();
        }

        _inFlight.Clear();
        _segments.Clear();
        _sending = false;
        if (_queue.Count == 0 && _queue.EnsureCapacity(0) > 2 * SteadyQueueCapacity)
        {
            _queue = new Queue<OutboundItem>(SteadyQueueCapacity);
        }

        // A close already emptied the queue and its count.
        if (!IsClosed)
        {
            _queuedBytes -= bytes;
        }
    }

    /// <summary>Slots the send queue holds now (tests: a burst's growth is given back).</summary>
    internal int QueueCapacity
    {
        get
        {
            lock (_gate)
            {
                return _queue.EnsureCapacity(0);
            }
        }
    }

    private static int ChunkStreamIdFor(MediaKind kind) => kind switch
    {
        MediaKind.Audio => ChunkStreamIds.Audio,
        MediaKind.Video => ChunkStreamIds.Video,
        _ => ChunkStreamIds.Data,
    };

    private readonly record struct OutboundItem(MediaFrame? Frame, uint MessageStreamId, uint Timestamp, byte[]? Bytes, int Length)
    {
        public int QueuedLength => Frame?.Length ?? Length;

        public void Release()
        {
            Frame?.Release();
            if (Bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(Bytes);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "{RemoteEndPoint} is not keeping up ({QueuedBytes} bytes queued): dropping video until the next keyframe")]
        public static partial void SendQueueOverflow(ILogger logger, System.Net.EndPoint? remoteEndPoint, int queuedBytes);
    }
}
