using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Server;

/// <summary>
/// The box's RTMP server: accepts connections, runs a session per connection, and once a second
/// enforces the handshake and idle timeouts and pings quiet peers.
/// </summary>
public sealed class RtmpServer : IAsyncDisposable
{
    private readonly RtmpServerOptions _options;
    private readonly StreamRegistry _streams;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<RtmpServerSession> _sessions = [];
    private readonly List<Task> _sessionTasks = [];
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private ITimer? _maintenance;
    private int _playerCount;
    private long _nextSessionId;

    /// <param name="time">The clock of the timeouts, pings and send-queue stalls; tests pass a fake one.</param>
    public RtmpServer(RtmpServerOptions options, StreamRegistry streams, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Time = time ?? TimeProvider.System;
        _options = options;
        _streams = streams;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<RtmpServer>();
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("The server has not started."));

    /// <summary>Sessions playing a stream now.</summary>
    public int PlayerCount => Volatile.Read(ref _playerCount);

    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    internal RtmpServerOptions Options => _options;

    internal TimeProvider Time { get; }

    /// <summary>How often the timeouts are checked.</summary>
    internal static readonly TimeSpan MaintenanceInterval = TimeSpan.FromSeconds(1);

    internal StreamRegistry Streams => _streams;

    /// <summary>Wrong publish and play keys, per address: slowed down and logged once a minute.</summary>
    internal KeyGuard KeyGuard { get; } = new();

    /// <summary>Binds and starts accepting; returns once listening. A busy address throws <see cref="SocketException"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listener = new Socket(_options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (_options.Listen.AddressFamily == AddressFamily.InterNetworkV6 && _options.Listen.Address.Equals(IPAddress.IPv6Any))
        {
            listener.DualMode = true;
        }

        try
        {
            listener.Bind(_options.Listen);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        _maintenance = Time.CreateTimer(static state => ((RtmpServer)state!).Maintain(), this, MaintenanceInterval, MaintenanceInterval);
        ServerLog.Listening(_logger, LocalEndPoint);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener?.Dispose();
        if (_maintenance is not null)
        {
            await _maintenance.DisposeAsync().ConfigureAwait(false);
        }

        await _acceptLoop.ConfigureAwait(false);
        Task[] sessions;
        lock (_gate)
        {
            foreach (RtmpServerSession session in _sessions)
            {
                session.Connection.Close(CloseReason.ServerStopping);
            }

            sessions = [.. _sessionTasks];
        }

        await Task.WhenAll(sessions).ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal void PlayerStarted() => Interlocked.Increment(ref _playerCount);

    internal void PlayerStopped() => Interlocked.Decrement(ref _playerCount);

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException error)
            {
                ServerLog.AcceptFailed(_logger, error.Message);
                continue;
            }

            if (!TryAccept(new SocketTransport(socket)))
            {
                socket.Close(0);
            }
        }
    }

    /// <summary>
    /// Runs a session over <paramref name="transport"/> (a socket just accepted, or an in-memory pair in tests);
    /// false, and nothing runs, when <see cref="RtmpServerOptions.MaxConnections"/> sessions already run.
    /// </summary>
    internal bool TryAccept(IRtmpTransport transport)
    {
        lock (_gate)
        {
            if (_sessions.Count >= _options.MaxConnections)
            {
                ServerLog.ConnectionLimit(_logger, transport.RemoteEndPoint, _options.MaxConnections);
                return false;
            }

            long id = ++_nextSessionId;
            var connection = new RtmpConnection(
                transport,
                _loggerFactory.CreateLogger<RtmpConnection>(),
                _options.Limits,
                new SendQueueOptions { MaxQueuedBytes = _options.PlayerQueueBytes, StallTimeout = _options.PlayerStallTimeout },
                Time);
            var session = new RtmpServerSession(this, connection, id, _loggerFactory.CreateLogger<RtmpServerSession>());
            _sessions.Add(session);
            _sessionTasks.Add(RunSessionAsync(session));
            return true;
        }
    }

    private async Task RunSessionAsync(RtmpServerSession session)
    {
        await Task.Yield();
        try
        {
            await session.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            ServerLog.SessionFailed(_logger, session.Id, error);
        }
        finally
        {
            lock (_gate)
            {
                _sessions.Remove(session);
                _sessionTasks.RemoveAll(static t => t.IsCompleted);
            }
        }
    }

    private void Maintain()
    {
        lock (_gate)
        {
            foreach (RtmpServerSession session in _sessions)
            {
                session.Maintain();
            }
        }
    }
}
