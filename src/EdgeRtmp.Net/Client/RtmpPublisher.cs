using System.Diagnostics;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Client;

/// <summary>Where and how an <see cref="RtmpPublisher"/> publishes.</summary>
public sealed record RtmpPublisherOptions
{
    /// <summary>rtmp:// or rtmps:// with the stream name (and key) to publish.</summary>
    public required RtmpUrl Url { get; init; }

    /// <summary>PEM CA file trusted for rtmps:// instead of the system store.</summary>
    public string? TrustedCaFile { get; init; }

    /// <summary>Timeout of each step: connect, createStream, publish.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stop waits for FCUnpublish and deleteStream to go out.</summary>
    public TimeSpan UnpublishTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public Connection.SendQueueOptions SendQueue { get; init; } = new();

    /// <summary>Jitter for the reconnect schedule (uniform in [0, 1)); tests make it deterministic.</summary>
    public Func<double>? Jitter { get; init; }
}

/// <summary>
/// Publishes one local <see cref="StreamHub"/> to one upstream URL and keeps it there. It subscribes to the
/// hub and forwards metadata (as <c>@setDataFrame onMetaData</c>), the sequence headers (again after every
/// reconnect) and the frames; the connection starts video at a keyframe and, when the upstream link is
/// slower than the stream, drops video to the next keyframe (its bounded queue). The hub never waits for us.
/// <para>
/// A dropped connection is retried with <see cref="ReconnectBackoff"/>; a refusal retrying cannot fix is
/// reported as <see cref="PublisherStateKind.Refused"/> and retried only at the cap. <see cref="StopAsync"/>
/// sends FCUnpublish and deleteStream before closing, so the upstream ends the broadcast at once.
/// </para>
/// </summary>
public sealed class RtmpPublisher : IMediaSubscriber, IAsyncDisposable
{
    private static readonly byte[] SetDataFramePrefix = CreateSetDataFramePrefix();

    /// <summary>A peer that hangs up this soon after Publish.Start has refused the publish.</summary>
    private static readonly TimeSpan RefusalWindow = TimeSpan.FromSeconds(1);

    private readonly StreamHub _hub;
    private readonly RtmpPublisherOptions _options;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly string _redactedUrl;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _change = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MediaFrame? _metadata;
    private MediaFrame? _videoSequenceHeader;
    private MediaFrame? _audioSequenceHeader;
    private RtmpClient? _live;
    private uint _liveStreamId;
    private bool _sourceLive;
    private bool _sourceReady = true;
    private long _framesSent;
    private long _droppedBefore;
    private int _sessions;
    private Task _run = Task.CompletedTask;
    private PublisherState _state = new(PublisherStateKind.WaitingForSource);

    public RtmpPublisher(StreamHub hub, RtmpPublisherOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(options);
        _hub = hub;
        _options = options;
        _logger = logger;
        _backoff = new ReconnectBackoff(options.Jitter);
        _redactedUrl = options.Url.ToRedactedString();
    }

    public RtmpUrl Url => _options.Url;

    public PublisherState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Raised on every state change, off the media path (never under the hub's lock).</summary>
    public event Action<RtmpPublisher, PublisherState>? StateChanged;

    /// <summary>Frames handed to upstream connections (queued; not counting those dropped).</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Video frames dropped by upstream connections because the link was too slow.</summary>
    public long FramesDropped
    {
        get
        {
            lock (_gate)
            {
                return _droppedBefore + (_live?.Connection.DroppedFrames ?? 0);
            }
        }
    }

    /// <summary>Connections that reached Publish.Start.</summary>
    public int LiveSessions => Volatile.Read(ref _sessions);

    /// <summary>The current upstream connection while live (tests look at it).</summary>
    public RtmpClient? LiveClient
    {
        get
        {
            lock (_gate)
            {
                return _live;
            }
        }
    }

    /// <summary>
    /// Whether the stream's source makes media (true unless told otherwise). The box's own source holds its stream for
    /// its whole life, failed or not, so the hub's publish start and stop cannot tell a camera that is missing: the owner
    /// of the source says so here. While false the publisher does not publish (a live session is unpublished, as when
    /// the stream ends) and reports <see cref="PublisherStateKind.WaitingForSource"/>: never "live" upstream with
    /// nothing to send. Set it before <see cref="Start"/> for a source that is not producing yet.
    /// </summary>
    public void SetSourceReady(bool ready)
    {
        lock (_gate)
        {
            if (_sourceReady == ready)
            {
                return;
            }

            _sourceReady = ready;
        }

        Pulse();
    }

    /// <summary>Subscribes to the hub and starts the connect/publish/reconnect loop.</summary>
    public void Start()
    {
        _hub.Subscribe(this);
        _run = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Unpublishes (FCUnpublish, deleteStream), closes, and leaves the hub.</summary>
    public async Task StopAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
        }

        Pulse();
        await _run.ConfigureAwait(false);
        _hub.Unsubscribe(this);
        lock (_gate)
        {
            ReleaseCache();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the state, up to <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForStateAsync(Func<PublisherState, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(RtmpPublisher _, PublisherState state)
        {
            if (condition(state))
            {
                reached.TrySetResult();
            }
        }

        StateChanged += OnChange;
        try
        {
            if (condition(State))
            {
                return true;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task finished = await Task.WhenAny(reached.Task, Task.Delay(timeout, wait.Token)).ConfigureAwait(false);
            wait.Cancel();
            return finished == reached.Task;
        }
        finally
        {
            StateChanged -= OnChange;
        }
    }

    void IMediaSubscriber.OnPublishStart(StreamHub hub)
    {
        lock (_gate)
        {
            // A new source brings its own headers.
            ReleaseCache();
            _sourceLive = true;
        }

        Pulse();
    }

    void IMediaSubscriber.OnFrame(StreamHub hub, MediaFrame frame, bool fromCache)
    {
        lock (_gate)
        {
            if (frame.IsMetadata)
            {
                MediaFrame wrapped = WrapMetadata(frame);
                _metadata?.Release();
                _metadata = wrapped;
                frame = wrapped;
            }
            else if (frame.IsSequenceHeader)
            {
                frame.AddReference();
                ref MediaFrame? slot = ref frame.Kind == MediaKind.Video ? ref _videoSequenceHeader : ref _audioSequenceHeader;
                slot?.Release();
                slot = frame;
            }

            if (_live is { } client && client.Connection.EnqueueMedia(frame, _liveStreamId, flush: false))
            {
                _framesSent++;
            }
        }
    }

    void IMediaSubscriber.OnFlush(StreamHub hub)
    {
        RtmpClient? client;
        lock (_gate)
        {
            client = _live;
        }

        client?.Connection.Flush();
    }

    void IMediaSubscriber.OnPublishStop(StreamHub hub)
    {
        lock (_gate)
        {
            _sourceLive = false;
        }

        Pulse();
    }

    private async Task RunAsync()
    {
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Task change;
            bool sourceLive;
            lock (_gate)
            {
                change = _change.Task;
                sourceLive = _sourceLive && _sourceReady;
            }

            if (!sourceLive)
            {
                SetState(new PublisherState(PublisherStateKind.WaitingForSource));
                await change.ConfigureAwait(false);
                continue;
            }

            (UpstreamFailure? failure, TimeSpan liveFor) = await RunSessionAsync(stopping).ConfigureAwait(false);
            if (stopping.IsCancellationRequested || failure is null)
            {
                continue;
            }

            UpstreamFailure reason = failure.Value;
            TimeSpan delay = reason.IsRefusal ? _backoff.RefusalDelay() : _backoff.NextDelay(liveFor);
            if (reason.IsRefusal)
            {
                ClientLog.Refused(_logger, _redactedUrl, reason.Reason, delay);
                SetState(new PublisherState(PublisherStateKind.Refused, reason.Reason, delay));
            }
            else
            {
                ClientLog.Retrying(_logger, _redactedUrl, reason.Reason, delay);
                SetState(new PublisherState(PublisherStateKind.Retrying, reason.Reason, delay));
            }

            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        SetState(new PublisherState(PublisherStateKind.Stopped));
    }

    /// <summary>
    /// One connection: connect, publish, forward until it drops, the source stops or we stop. Returns the
    /// failure (null when the session ended because we or the source stopped) and how long it was live.
    /// </summary>
    private async Task<(UpstreamFailure? Failure, TimeSpan LiveFor)> RunSessionAsync(CancellationToken stopping)
    {
        SetState(new PublisherState(PublisherStateKind.Connecting));
        ClientLog.Connecting(_logger, _redactedUrl);
        RtmpClient? client = null;
        PublishStage stage = PublishStage.Connect;
        long liveSince = 0;
        string streamName = _options.Url.StreamName;
        try
        {
            RtmpClientOptions clientOptions = RtmpClientOptions.FromUrl(_options.Url, _options.TrustedCaFile) with
            {
                Timeout = _options.Timeout,
                SendQueue = _options.SendQueue,
            };
            client = await RtmpClient.ConnectAsync(clientOptions, _logger, stopping).ConfigureAwait(false);
            stage = PublishStage.Publish;
            uint streamId = await client.CreateStreamAsync(stopping).ConfigureAwait(false);
            await client.PublishAsync(streamId, streamName, stopping).ConfigureAwait(false);
            stage = PublishStage.Live;

            Task change;
            lock (_gate)
            {
                // Under the lock, so no frame slips in between the headers and the live stream.
                _live = client;
                _liveStreamId = streamId;
                SendCachedStart(client, streamId);
                change = _change.Task;
            }

            liveSince = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _sessions);
            SetState(new PublisherState(PublisherStateKind.Live));
            ClientLog.Live(_logger, _redactedUrl);

            while (true)
            {
                await Task.WhenAny(client.Completion, change).ConfigureAwait(false);
                if (client.Connection.IsClosed)
                {
                    TimeSpan liveFor = Stopwatch.GetElapsedTime(liveSince);
                    CloseReason reason = client.Connection.CloseReason ?? CloseReason.Local("closed");
                    if (liveFor < RefusalWindow && reason.Kind == CloseReasonKind.PeerClosed)
                    {
                        // nginx-rtmp's "deny publish" (and a failing on_publish) may answer Publish.Start and
                        // then close at once: the server decided, so it is a refusal, not a dropped link.
                        return (new UpstreamFailure(true, $"the server closed the connection {liveFor.TotalMilliseconds:0} ms after publish started (publishing is denied there, or the stream key is wrong)"), liveFor);
                    }

                    return (new UpstreamFailure(false, "the connection dropped: " + reason.Detail), liveFor);
                }

                bool sourceLive, sourceReady;
                lock (_gate)
                {
                    change = _change.Task;
                    sourceLive = _sourceLive;
                    sourceReady = _sourceReady;
                }

                if (stopping.IsCancellationRequested || !sourceLive || !sourceReady)
                {
                    Detach(client);
                    await client.UnpublishAsync(streamId, streamName, _options.UnpublishTimeout).ConfigureAwait(false);
                    ClientLog.Unpublished(
                        _logger,
                        _redactedUrl,
                        stopping.IsCancellationRequested ? "stopped" : !sourceLive ? "the local stream ended" : "the local source is not producing");
                    return (null, Stopwatch.GetElapsedTime(liveSince));
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return (null, TimeSpan.Zero);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            return (UpstreamFailure.Classify(error, stage), liveSince == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(liveSince));
        }
        finally
        {
            if (client is not null)
            {
                Detach(client);
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Detach(RtmpClient client)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_live, client))
            {
                _live = null;
                _droppedBefore += client.Connection.DroppedFrames;
            }
        }
    }

    private void SendCachedStart(RtmpClient client, uint streamId)
    {
        foreach (MediaFrame? frame in (ReadOnlySpan<MediaFrame?>)[_metadata, _videoSequenceHeader, _audioSequenceHeader])
        {
            if (frame is not null && client.Connection.EnqueueMedia(frame, streamId))
            {
                _framesSent++;
            }
        }

        // Video starts at the next keyframe (the connection's rule), not in the middle of a GOP.
        client.Connection.RequireKeyframe();
    }

    private void ReleaseCache()
    {
        _metadata?.Release();
        _videoSequenceHeader?.Release();
        _audioSequenceHeader?.Release();
        _metadata = _videoSequenceHeader = _audioSequenceHeader = null;
    }

    private void Pulse()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _change;
            _change = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private void SetState(PublisherState state)
    {
        lock (_gate)
        {
            if (_state == state)
            {
                return;
            }

            _state = state;
        }

        StateChanged?.Invoke(this, state);
    }

    /// <summary>
    /// The hub keeps metadata as <c>onMetaData {…}</c> (what players get); a publisher sends
    /// <c>@setDataFrame onMetaData {…}</c>, which is what YouTube, Twitch and nginx-rtmp expect from an encoder.
    /// </summary>
    private static MediaFrame WrapMetadata(MediaFrame frame)
    {
        if (CommandHeader.ReadDataName(frame.Span).Kind == CommandKind.SetDataFrame)
        {
            frame.AddReference();
            return frame;
        }

        return MediaFramePool.Shared.Rent(MediaKind.Data, frame.Timestamp, frame.Flags, SetDataFramePrefix.Length + frame.Length, frame,
            static (span, source) =>
            {
                SetDataFramePrefix.CopyTo(span);
                source.Span.CopyTo(span[SetDataFramePrefix.Length..]);
            });
    }

    private static byte[] CreateSetDataFramePrefix()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>(16);
        var writer = new Amf0Writer(output);
        writer.WriteString("@setDataFrame"u8);
        return output.WrittenSpan.ToArray();
    }
}
