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
    private Timer? _maintenance;
    private int _playerCount;
    private long _nextSessionId;

    public RtmpServer(RtmpServerOptions options, StreamRegistry streams, ILoggerFactory loggerFactory)
    {
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
        _maintenance = new Timer(static state => ((RtmpServer)state!).Maintain(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
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
                session.Connection.Close("the server is stopping");
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

            lock (_gate)
            {
                if (_sessions.Count >= _options.MaxConnections)
                {
                    ServerLog.ConnectionLimit(_logger, socket.RemoteEndPoint, _options.MaxConnections);
                    socket.Close(0);
                    continue;
                }

                long id = ++_nextSessionId;
                var connection = new RtmpConnection(
                    new SocketTransport(socket),
                    _loggerFactory.CreateLogger<RtmpConnection>(),
                    _options.Limits,
                    new SendQueueOptions { MaxQueuedBytes = _options.PlayerQueueBytes, StallTimeout = _options.PlayerStallTimeout });
                var session = new RtmpServerSession(this, connection, id, _loggerFactory.CreateLogger<RtmpServerSession>());
                _sessions.Add(session);
                Task task = RunSessionAsync(session);
                _sessionTasks.Add(task);
            }
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
        long now = Environment.TickCount64;
        lock (_gate)
        {
            foreach (RtmpServerSession session in _sessions)
            {
                session.Maintain(now);
            }
        }
    }
}
