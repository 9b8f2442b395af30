using System.Net.Sockets;
using EdgeRtmp.Configuration;
using EdgeRtmp.Net.Server;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Runs the local RTMP server for the host. The only file that calls <see cref="RtmpServer"/>: it builds
/// <see cref="RtmpServerOptions"/> from the validated configuration, starts the server (StartAsync returns once
/// it listens, so host start fails with the address when the port is taken), tells the <see cref="StartupGate"/> (READY=1 once the source runs too), keeps
/// STATUS current, and on stop disposes the server, which closes every session (the systemd package has sent STOPPING=1).
/// </summary>
public sealed class ServerHostedService : BackgroundService
{
    private static readonly TimeSpan s_statusInterval = TimeSpan.FromSeconds(2);

    private readonly AppSettings _settings;
    private readonly ServiceHealth _health;
    private readonly StreamRegistry _streams;
    private readonly StartupGate _startup;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private RtmpServer? _server;
    private string _playUrl = "";

    public ServerHostedService(
        AppSettings settings,
        ServiceHealth health,
        StreamRegistry streams,
        StartupGate startup,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory)
    {
        _streams = streams;
        _startup = startup;
        _lifetime = lifetime;
        _settings = settings;
        _health = health;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("EdgeRtmp.Server");
    }

    public static RtmpServerOptions CreateServerOptions(AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var server = settings.Options.Server;
        return new RtmpServerOptions
        {
            Listen = settings.Listen,
            App = server.App,
            ChunkSize = server.ChunkSize,
            PublishKey = server.PublishKey,
            PlayKey = server.PlayKey,
            AllowPlay = settings.AllowPlay,
            MaxConnections = server.MaxConnections,
            HandshakeTimeout = TimeSpan.FromSeconds(server.HandshakeTimeout),
            IdleTimeout = TimeSpan.FromSeconds(server.IdleTimeout),
        };
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var server = new RtmpServer(CreateServerOptions(_settings), _streams, _loggerFactory);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            var reason = exception.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the address is already in use (is another edgertmp or RTMP server running?)",
                SocketError.AddressNotAvailable => "no interface has that address",
                SocketError.AccessDenied => "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)",
                _ => exception.Message,
            };
            _health.FailStart($"cannot listen on {ListenAddress.Format(_settings.Listen)}: {reason}");
            _lifetime.StopApplication();
            return;
        }

        _server = server;
        _playUrl = PlayUrl.For(server.LocalEndPoint, _settings.App, _settings.Stream);
        HostingLog.Listening(_logger, ListenAddress.Format(server.LocalEndPoint), _playUrl);
        _health.Set(true);

        // READY=1 (and the first STATUS) once the source, if any, has produced its first frame too.
        _startup.ServerListening(() => StatusLine(server.PlayerCount));
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var server = _server!;
        var reported = server.PlayerCount;
        using var timer = new PeriodicTimer(s_statusInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var players = server.PlayerCount;
                if (players != reported)
                {
                    reported = players;
                    HostingLog.ViewerCountChanged(_logger, players);
                    _startup.Status(StatusLine(players));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _health.Set(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_server is { } server)
        {
            HostingLog.Stopping(_logger);
            _server = null;
            await server.DisposeAsync().ConfigureAwait(false);
            HostingLog.Stopped(_logger);
        }
    }

    private string StatusLine(int players) =>
        $"serving {_playUrl}{(_startup.SourceSummary?.Invoke() is { } source ? " (" + source + ")" : "")}, {players} viewer{(players == 1 ? "" : "s")}";
}
