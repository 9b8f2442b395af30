using System.Buffers;
using System.Net.Sockets;
using EdgeRtmp.Media;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Connection;

/// <summary>Bounds on what a connection queues for sending; see <see cref="SendQueue.EnqueueMedia"/>.</summary>
public sealed record SendQueueOptions
{
    /// <summary>Past this many queued bytes, video is dropped up to the next keyframe.</summary>
    public int MaxQueuedBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>A peer that keeps the queue over its limit this long is disconnected.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The write side of one connection: one ordered queue of everything to send, its overflow policy, and the sending
/// itself. Control and command messages are chunked into bytes when queued (so chunk header state follows queue
/// order); media is queued as a reference to a shared <see cref="MediaFrame"/> whose chunked body is built once for
/// all connections, and only its first chunk header is written here, at send time. Queued items leave in gathered
/// writes of up to <see cref="MaxSegmentsPerSend"/> segments.
/// <para>
/// Sending: <see cref="Flush"/> sends at once on the caller's thread when no send is out (a non-blocking gathered
/// send that the kernel takes whole when its buffer has room), with no thread switch per message; when the socket
/// is full the send completes in the background and the send loop (one per connection, woken by a signal) takes
/// over until the queue is empty. A TLS transport always goes through the send loop.
/// </para>
/// </summary>
public sealed partial class SendQueue
{
    /// <summary>
    /// Segments per gathered write. The runtime keeps up to 8 iovecs on the stack for sendmsg; more
    /// would allocate per send (measured by the relay allocation test).
    /// </summary>
    public const int MaxSegmentsPerSend = 8;

    /// <summary>
    /// Queue slots a live player needs; a late joiner's GOP replay grows the queue to a few hundred (8 KiB and more
    /// per player), and it is given back once that has been sent.
    /// </summary>
    private const int SteadyQueueCapacity = 32;

    private static readonly Action<object, Exception?> s_inlineSendCompleted = OnInlineSendCompleted;

    private readonly IRtmpTransport _transport;
    private readonly ILogger _logger;
    private readonly SendQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<CloseReason> _fail;
    private readonly Lock _gate = new();
    private readonly ChunkWriter _writer = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly ArrayBufferWriter<byte> _payloadScratch = new(256);
    private readonly AsyncSignal _sendSignal = new();
    private readonly byte[] _headerScratch = new byte[MaxSegmentsPerSend * ChunkReader.MaxChunkHeaderLength];
    private readonly List<ArraySegment<byte>> _segments = new(MaxSegmentsPerSend);
    private readonly List<OutboundItem> _inFlight = new(MaxSegmentsPerSend);
    private Queue<OutboundItem> _queue = new(SteadyQueueCapacity);

    /// <summary>A batch (<see cref="_segments"/>, <see cref="_inFlight"/>) is out: by the send loop or inline.</summary>
    private bool _sending;
    private bool _closed;
    private int _queuedBytes;
    private bool _needKeyframe = true;
    private long _overLimitSince;
    private long _droppedFrames;
    private long _bytesSent;
    private TaskCompletionSource? _drained;

    /// <param name="fail">Called (under the queue's lock) when the peer must be disconnected: too slow, or a send failed.</param>
    public SendQueue(IRtmpTransport transport, ILogger logger, SendQueueOptions? options, TimeProvider? time, Action<CloseReason> fail)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(fail);
        _transport = transport;
        _logger = logger;
        _options = options ?? new SendQueueOptions();
        _time = time ?? TimeProvider.System;
        _fail = fail;
    }

    /// <summary>Our outgoing chunk size.</summary>
    public int ChunkSize
    {
        get
        {
            lock (_gate)
            {
                return _writer.ChunkSize;
            }
        }
    }

    /// <summary>Bytes waiting to be sent.</summary>
    public int QueuedBytes => Volatile.Read(ref _queuedBytes);

    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Slots the queue holds now (tests: a burst's growth is given back).</summary>
    internal int Capacity
    {
        get
        {
            lock (_gate)
            {
                return _queue.EnsureCapacity(0);
            }
        }
    }

    /// <summary>Starts the send loop (after the handshake, which sends on its own).</summary>
    public Task StartSendLoop() => Task.Run(SendLoopAsync, CancellationToken.None);

    /// <summary>
    /// Queues a control or command message: <paramref name="write"/> chunks it into the connection's
    /// writer at once (so chunk header state stays in queue order); it is sent after everything queued before it.
    /// </summary>
    public void Send<TState>(TState state, Action<ChunkWriter, IBufferWriter<byte>, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (_gate)
        {
            if (_closed)
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
        ArgumentNullException.ThrowIfNull(writePayload);
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
    /// queue takes its own reference. Video waits for a keyframe at the start, after <see cref="RequireKeyframe"/>,
    /// and after an overflow; audio, data and sequence headers are always queued. A peer that keeps the queue over
    /// its limit for the stall timeout, or lets it reach twice the limit, is disconnected.
    /// </summary>
    /// <returns>False when the frame was not queued.</returns>
    public bool EnqueueMedia(MediaFrame frame, uint messageStreamId, bool flush = true)
    {
        ArgumentNullException.ThrowIfNull(frame);
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            if (frame.Kind == MediaKind.Video && !frame.IsSequenceHeader)
            {
                if (_queuedBytes + frame.Length > _options.MaxQueuedBytes)
                {
                    if (_overLimitSince == 0)
                    {
                        _overLimitSince = _time.GetTimestamp();
                        Log.SendQueueOverflow(_logger, _transport.RemoteEndPoint, _queuedBytes);
                    }

                    _needKeyframe = true;
                }
                else if (_needKeyframe && frame.IsKeyframe)
                {
                    _needKeyframe = false;
                    _overLimitSince = 0;
                }

                if (_needKeyframe)
                {
                    _droppedFrames++;
                    if (_overLimitSince != 0 && _time.GetElapsedTime(_overLimitSince) > _options.StallTimeout)
                    {
                        _fail(new CloseReason(CloseReasonKind.SlowPeer, $"the peer could not keep up for {_options.StallTimeout.TotalSeconds:0} s ({_droppedFrames} video frames dropped)"));
                    }

                    return false;
                }
            }
            else if (_queuedBytes + frame.Length > 2 * _options.MaxQueuedBytes)
            {
                _fail(new CloseReason(CloseReasonKind.SlowPeer, $"the peer did not read {_queuedBytes} queued bytes"));
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

    /// <summary>Drops video until the next keyframe (a player that unpauses, a publisher that reconnects).</summary>
    public void RequireKeyframe()
    {
        lock (_gate)
        {
            _needKeyframe = true;
        }
    }

    /// <summary>Starts sending what is queued: inline on the caller's thread when it can, else by the send loop.</summary>
    public void Flush()
    {
        if (!TryFlushInline())
        {
            _sendSignal.Set();
        }
    }

    /// <summary>Completes once everything queued so far has been handed to the transport, or the queue is closed.</summary>
    public Task WhenDrained()
    {
        lock (_gate)
        {
            if (_closed || (!_sending && _queue.Count == 0))
            {
                return Task.CompletedTask;
            }

            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>Abandons what is queued (the connection closed) and ends the send loop.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            while (_queue.TryDequeue(out OutboundItem item))
            {
                item.Release();
            }

            _queuedBytes = 0;
            CompleteDrained();
        }

        _sendSignal.Set();
    }

    /// <summary>
    /// When no send is under way, sends what is queued at once, on the caller's thread: no thread switch per
    /// message, which is most of the cost of a relay (nginx-rtmp writes from its event handler the same way). The
    /// send never waits: when the socket buffer is full it finishes in the background and the send loop takes
    /// over. False when the send loop must do it (a TLS transport).
    /// </summary>
    private bool TryFlushInline()
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
                    _fail(CloseReason.TransportFailed($"send failed: {error.Message}"));
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
        var queue = (SendQueue)state;
        lock (queue._gate)
        {
            queue.CompleteBatch();
            if (error is not null)
            {
                queue._fail(CloseReason.TransportFailed($"send failed: {error.Message}"));
            }
        }

        // What was queued while the batch was out is the send loop's now.
        queue._sendSignal.Set();
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
                        await _transport.SendAsync(_segments, CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        lock (_gate)
                        {
                            CompleteBatch();
                        }
                    }
                }

                if (Volatile.Read(ref _closed))
                {
                    return;
                }
            }
        }
        catch (Exception error) when (error is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            lock (_gate)
            {
                _fail(CloseReason.TransportFailed($"send failed: {error.Message}"));
            }
        }
    }

    /// <summary>
    /// Moves queued items into one gathered write (<see cref="_segments"/>) and marks it out. Under the lock;
    /// false when nothing is queued or the queue closed.
    /// </summary>
    private bool TakeBatch()
    {
        _segments.Clear();
        int headerOffset = 0;
        long sent = 0;
        while (!_closed && _queue.TryPeek(out OutboundItem item))
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
                sent += item.Length;
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
                sent += headerLength + body.Count;
            }

            _inFlight.Add(item);
        }

        _bytesSent += sent;
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
        if (!_closed)
        {
            _queuedBytes -= bytes;
        }

        if (_queue.Count == 0)
        {
            CompleteDrained();
        }
    }

    private void CompleteDrained()
    {
        _drained?.TrySetResult();
        _drained = null;
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
