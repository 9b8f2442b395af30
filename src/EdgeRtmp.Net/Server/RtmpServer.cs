using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Server;

// Stand-in; replaced by the real server on merge. It has exactly the agreed public API and only
// binds, accepts and holds TCP connections (no RTMP handshake), so the appliance's hosting, CLI
// and systemd wiring can be built and tested before the real server lands.
public sealed class RtmpServer : IAsyncDisposable
{
    private readonly RtmpServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _connections = [];
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    public RtmpServer(RtmpServerOptions options, StreamRegistry streams, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _logger = loggerFactory.CreateLogger("EdgeRtmp.Net.Server.RtmpServer");
    }

    public IPEndPoint LocalEndPoint =>
        (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The server is not started.");

    public int PlayerCount => 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var listener = new Socket(_options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_options.Listen.AddressFamily == AddressFamily.InterNetworkV6 && _options.Listen.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(_options.Listen);
            listener.Listen(_options.MaxConnections);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener, _stopping.Token);
        return Task.CompletedTask;
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(connection);
            }

            _logger.LogDebug("Stand-in server accepted {RemoteEndPoint}", connection.RemoteEndPoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }

        _stopping.Dispose();
    }
}
