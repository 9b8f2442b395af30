using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Handshake;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Client;

/// <summary>What an RTMP client connection needs: where, and which application.</summary>
public sealed record RtmpClientOptions
{
    public required string Host { get; init; }
    public int Port { get; init; } = 1935;
    public required string App { get; init; }

    /// <summary>The URL the server sees as ours (rtmp://host:port/app); derived when null.</summary>
    public string? TcUrl { get; init; }

    public string FlashVersion { get; init; } = "FMLE/3.0 (compatible; EdgeRtmp)";

    /// <summary>Offer the digest handshake (servers that only speak the simple one still work).</summary>
    public bool ComplexHandshake { get; init; } = true;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public RtmpLimits Limits { get; init; } = RtmpLimits.Default;

    public SendQueueOptions SendQueue { get; init; } = new();

    /// <summary>RTMPS: TLS over the TCP connection, the server certificate checked for <see cref="Host"/>.</summary>
    public bool UseTls { get; init; }

    /// <summary>
    /// A PEM file of CA certificates to trust for RTMPS instead of the system store (a private CA);
    /// null trusts the system store only.
    /// </summary>
    public string? TrustedCaFile { get; init; }

    /// <summary>Host, port, app, tcUrl and TLS from <paramref name="url"/>.</summary>
    public static RtmpClientOptions FromUrl(RtmpUrl url, string? trustedCaFile = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new RtmpClientOptions
        {
            Host = url.Host,
            Port = url.Port,
            App = url.App,
            TcUrl = url.TcUrl,
            UseTls = url.IsSecure,
            TrustedCaFile = trustedCaFile,
        };
    }
}

/// <summary>What the server said when it refused us, in its own words.</summary>
public sealed class RtmpClientException(string message, string? statusCode = null, bool closedByPeer = false) : Exception(message)
{
    public string? StatusCode { get; } = statusCode;

    /// <summary>The connection ended while we waited for an answer (no status came).</summary>
    public bool ClosedByPeer { get; } = closedByPeer;
}

/// <summary>Receives what a played stream delivers. Called on the receive loop; must not block.</summary>
public interface IRtmpPlaySink
{
    /// <summary>Audio, video and data messages; <paramref name="payload"/> is valid only during the call.</summary>
    void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload);

    void OnStatus(StatusInfo status);

    void OnUserControl(UserControlEvent control);
}

/// <summary>
/// The client side of one RTMP connection: handshake, <c>connect</c>, <c>createStream</c>, then
/// <c>play</c> or <c>publish</c>. Commands that expect an answer are awaited by transaction id.
/// </summary>
public sealed class RtmpClient : IRtmpMessageHandler, IAsyncDisposable
{
    private readonly RtmpClientOptions _options;
    private readonly ConcurrentDictionary<double, TaskCompletionSource<CommandResult>> _pending = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<StatusInfo>> _statusWaiters = new();
    private int _nextTransactionId = 1;
    private IRtmpPlaySink? _sink;
    private Task _receiveLoop = Task.CompletedTask;

    private RtmpClient(RtmpClientOptions options, RtmpConnection connection)
    {
        _options = options;
        Connection = connection;
    }

    public RtmpConnection Connection { get; }

    /// <summary>Ends when the connection closes; <see cref="RtmpConnection.CloseReason"/> says why.</summary>
    public Task Completion => _receiveLoop;

    /// <summary>Opens a TCP connection, runs the handshake and <c>connect</c>.</summary>
    public static async Task<RtmpClient> ConnectAsync(RtmpClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        IRtmpTransport transport;
        if (options.UseTls)
        {
            transport = await AuthenticateAsync(socket, options, timeout.Token).ConfigureAwait(false);
        }
        else
        {
            transport = new SocketTransport(socket);
        }

        return await ConnectAsync(transport, options, logger, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Runs the handshake and <c>connect</c> over a transport that is already open (tests: an in-memory pair).</summary>
    internal static async Task<RtmpClient> ConnectAsync(IRtmpTransport transport, RtmpClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var connection = new RtmpConnection(transport, logger, options.Limits, options.SendQueue);
        var client = new RtmpClient(options, connection);
        try
        {
            await client.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return client;
    }

    /// <summary>
    /// TLS client side over <paramref name="socket"/>. With <see cref="RtmpClientOptions.TrustedCaFile"/> the chain
    /// must end at one of its CAs (CustomRootTrust: the system store is not consulted); the name check is the
    /// usual one either way. A failure throws <see cref="AuthenticationException"/> saying why.
    /// </summary>
    private static async Task<IRtmpTransport> AuthenticateAsync(Socket socket, RtmpClientOptions options, CancellationToken cancellationToken)
    {
        socket.NoDelay = true;
        var network = new NetworkStream(socket, ownsSocket: true);
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            var authentication = new SslClientAuthenticationOptions { TargetHost = options.Host };
            if (options.TrustedCaFile is { } caFile)
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(caFile);
                var policy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                policy.CustomTrustStore.AddRange(roots);
                authentication.CertificateChainPolicy = policy;
            }

            await tls.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
            return new StreamTransport(tls, socket.RemoteEndPoint);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Asks for a message stream and returns its id.</summary>
    public async Task<uint> CreateStreamAsync(CancellationToken cancellationToken)
    {
        CommandResult result = await CallAsync(0, static (output, s) => new CreateStreamCommand(s.TransactionId).Write(output), cancellationToken).ConfigureAwait(false);
        return (uint)(result.Number ?? throw new RtmpClientException("The server answered createStream without a stream id."));
    }

    /// <summary>Plays <paramref name="streamName"/> on <paramref name="streamId"/>; returns once the server says Play.Start.</summary>
    public async Task PlayAsync(uint streamId, string streamName, IRtmpPlaySink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        Task<StatusInfo> status = WaitForStatusAsync(streamId);
        Connection.SendCommand(streamId, streamName, static (output, name) => new PlayCommand(0, name).Write(output));
        Connection.Send(streamId, static (writer, output, id) => UserControlEvent.SetBufferLength(id, 3000).Write(writer, output));
        StatusInfo info = await WaitAsync(status, cancellationToken).ConfigureAwait(false);
        if (info.Code is not (StatusCode.PlayStart or StatusCode.PlayReset))
        {
            throw new RtmpClientException($"The server refused to play '{streamName}': {info.Description ?? info.Code}", info.Code);
        }
    }

    /// <summary>
    /// Announces and starts a live publish of <paramref name="streamName"/> (which may carry <c>?key=…</c>) on
    /// <paramref name="streamId"/>, as encoders do: releaseStream, FCPublish, publish. Returns once the server
    /// says Publish.Start; a refusal throws with the server's description.
    /// </summary>
    public async Task PublishAsync(uint streamId, string streamName, CancellationToken cancellationToken)
    {
        Connection.SendCommand(0, streamName, static (output, name) => new StreamNameCommand(StreamNameCommandKind.ReleaseStream, 0, name).Write(output));
        Connection.SendCommand(0, streamName, static (output, name) => new StreamNameCommand(StreamNameCommandKind.FCPublish, 0, name).Write(output));
        Task<StatusInfo> status = WaitForStatusAsync(streamId);
        Connection.SendCommand(streamId, streamName, static (output, name) => new PublishCommand(0, name).Write(output));
        StatusInfo info = await WaitAsync(status, cancellationToken).ConfigureAwait(false);
        if (info.Code != StatusCode.PublishStart)
        {
            throw new RtmpClientException($"The server refused to publish: {info.Description ?? info.Code}", info.Code);
        }
    }

    /// <summary>
    /// Ends a publish as encoders do: FCUnpublish and deleteStream, then closes once they are sent (bounded by
    /// <paramref name="timeout"/>). Servers that relay (YouTube, nginx-rtmp push) end the broadcast at once
    /// instead of waiting for a timeout.
    /// </summary>
    public async Task UnpublishAsync(uint streamId, string streamName, TimeSpan timeout)
    {
        Connection.SendCommand(0, streamName, static (output, name) => new StreamNameCommand(StreamNameCommandKind.FCUnpublish, 0, name).Write(output));
        Connection.SendCommand(0, streamId, static (output, id) => new DeleteStreamCommand(0, id).Write(output));
        // Drain, FIN, and let the server close its side: a reset would let the kernel discard the last frames the
        // server has not read yet.
        await Connection.CloseAfterSendingAsync(CloseReason.Local("unpublished"), timeout).ConfigureAwait(false);
    }

    /// <summary>
    /// The next onStatus on <paramref name="streamId"/>. The completion source's own task, not an async wrapper:
    /// it is complete the moment the status is read, so a refusal followed at once by the server hanging up is
    /// still seen as the refusal (see WaitAsync).
    /// </summary>
    public Task<StatusInfo> WaitForStatusAsync(uint streamId)
    {
        var waiter = new TaskCompletionSource<StatusInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        _statusWaiters[streamId] = waiter;
        return waiter.Task;
    }

    public async ValueTask DisposeAsync()
    {
        Connection.Close(Connection.CloseReason ?? CloseReason.Local("closed by us"));
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or IOException)
        {
        }

        await Connection.DisposeAsync().ConfigureAwait(false);
        FailPending();
    }

    void IRtmpMessageHandler.HandleMessage(RtmpConnection connection, in RtmpMessage message)
    {
        ReadOnlySpan<byte> payload = message.Payload.Span;
        switch (message.Type)
        {
            case RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.DataAmf0:
                _sink?.OnMedia(message.Header, payload);
                break;
            case RtmpMessageType.CommandAmf0:
                HandleCommand(message.MessageStreamId, payload);
                break;
            case RtmpMessageType.UserControl:
                // A ping request was answered by the connection.
                _sink?.OnUserControl(UserControlEvent.Read(payload));
                break;
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var handshake = RtmpHandshake.CreateClient(HandshakeOptions.Default with { OfferComplex = _options.ComplexHandshake, Epoch = 0 });
        await Connection.HandshakeAsync(handshake, cancellationToken).ConfigureAwait(false);
        _receiveLoop = Task.Run(async () =>
        {
            await Connection.ReceiveLoopAsync(this, CancellationToken.None).ConfigureAwait(false);
            FailPending();
        }, CancellationToken.None);

        Connection.Send(4096, static (writer, output, size) => ProtocolControl.WriteSetChunkSize(writer, output, size));
        string tcUrl = _options.TcUrl ?? $"rtmp://{_options.Host}:{_options.Port}/{_options.App}";
        CommandResult result = await CallAsync((_options, tcUrl), static (output, s) => new ConnectCommand
        {
            TransactionId = s.TransactionId,
            App = s.State._options.App,
            FlashVer = s.State._options.FlashVersion,
            TcUrl = s.State.tcUrl,
            Type = "nonprivate",
            FourCcList = ["avc1", "hvc1", "av01"],
        }.Write(output), cancellationToken, transactionId: 1).ConfigureAwait(false);
        if (result.IsError)
        {
            throw new RtmpClientException($"The server refused to connect to '{_options.App}': {result.Information?.Description ?? result.Information?.Code}", result.Information?.Code);
        }
    }

    /// <summary>Sends a command that expects <c>_result</c>/<c>_error</c> and waits for it.</summary>
    private Task<CommandResult> CallAsync<TState>(TState state, Action<System.Buffers.IBufferWriter<byte>, (TState State, double TransactionId)> write, CancellationToken cancellationToken, double? transactionId = null)
    {
        double id = transactionId ?? Interlocked.Increment(ref _nextTransactionId);
        var completion = new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        Connection.SendCommand(0, (state, id), write);
        return WaitAsync(completion.Task, cancellationToken);
    }

    private async Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Connection.Closed);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            return await task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (task.IsCompletedSuccessfully)
            {
                // The answer came just before the server hung up (a refusal says why, then closes).
                return task.Result;
            }

            throw Connection.IsClosed
                ? new RtmpClientException($"The connection closed: {Connection.CloseReason}", closedByPeer: true)
                : new RtmpClientException($"The server did not answer within {_options.Timeout.TotalSeconds:0} s.");
        }
    }

    private void HandleCommand(uint streamId, ReadOnlySpan<byte> payload)
    {
        CommandHeader header = CommandHeader.Read(payload, amf3Command: false, _options.Limits);
        switch (header.Kind)
        {
            case CommandKind.Result or CommandKind.Error:
                CommandResult result = CommandResult.Read(payload, _options.Limits);
                if (_pending.TryRemove(result.TransactionId, out TaskCompletionSource<CommandResult>? completion))
                {
                    completion.TrySetResult(result);
                }

                break;
            case CommandKind.OnStatus:
                StatusInfo info = OnStatusCommand.Read(payload, _options.Limits).Info;
                _sink?.OnStatus(info);
                if (_statusWaiters.TryRemove(streamId, out TaskCompletionSource<StatusInfo>? waiter))
                {
                    waiter.TrySetResult(info);
                }

                break;
        }
    }

    private void FailPending()
    {
        foreach (TaskCompletionSource<CommandResult> pending in _pending.Values)
        {
            pending.TrySetException(new RtmpClientException($"The connection closed: {Connection.CloseReason}", closedByPeer: true));
        }

        _pending.Clear();
    }
}
