using System.Net;
using EdgeRtmp.Net.Server;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Interop.Tests.Support;

/// <summary>Our RTMP server on 127.0.0.1 and a free port, for one test.</summary>
public sealed class LocalServer : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;

    private LocalServer(RtmpServer server, StreamRegistry streams, ILoggerFactory loggerFactory)
    {
        Server = server;
        Streams = streams;
        _loggerFactory = loggerFactory;
    }

    public RtmpServer Server { get; }

    public StreamRegistry Streams { get; }

    public int Port => Server.LocalEndPoint.Port;

    public string Url(string path) => $"rtmp://127.0.0.1:{Port}/{path}";

    public static async Task<LocalServer> StartAsync(Func<RtmpServerOptions, RtmpServerOptions>? configure = null)
    {
        RtmpServerOptions options = new RtmpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), PublishKey = "secret" };
        options = configure?.Invoke(options) ?? options;
        ILoggerFactory loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Warning));
        var streams = new StreamRegistry();
        var server = new RtmpServer(options, streams, loggerFactory);
        await server.StartAsync(CancellationToken.None);
        return new LocalServer(server, streams, loggerFactory);
    }

    public async Task<bool> WaitForPublisherAsync(string path, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (Streams.Find(path)?.IsPublishing == true)
            {
                return true;
            }

            await Task.Delay(25);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _loggerFactory.Dispose();
    }
}
