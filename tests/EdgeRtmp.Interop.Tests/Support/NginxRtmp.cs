using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeRtmp.Interop.Tests.Support;

/// <summary>
/// nginx with the RTMP module (Debian's nginx + libnginx-mod-rtmp) in a temp directory, on 127.0.0.1 and a
/// free port: application <c>live</c> (live on; play_restart so players get Play.Stop when the publisher leaves) and <c>deny</c> (publishing denied). With a certificate it
/// also terminates TLS on <see cref="TlsPort"/> with the stream module and proxies to the RTMP port (RTMPS).
/// Killed on dispose; <see cref="Kill"/> and <see cref="StartAgainAsync"/> simulate an outage.
/// </summary>
public sealed class NginxRtmp : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nginx";
    private const string RtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
    private const string StreamModule = "/usr/lib/nginx/modules/ngx_stream_module.so";

    private PeerProcess? _process;

    private NginxRtmp(string directory, int port, int tlsPort)
    {
        Directory = directory;
        Port = port;
        TlsPort = tlsPort;
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The RTMPS port, or 0 without TLS.</summary>
    public int TlsPort { get; }

    public string ConfigPath => Path.Combine(Directory, "nginx.conf");

    public string ErrorLog => File.Exists(Path.Combine(Directory, "error.log")) ? File.ReadAllText(Path.Combine(Directory, "error.log")) : "";

    public string Url(string path) => $"rtmp://127.0.0.1:{Port}/{path}";

    /// <summary>
    /// Waits until nginx has a player waiting on <paramref name="stream"/> (its info log line "play: name='…'"), so a
    /// publish that follows reaches it from the first frame. False after <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> WaitForPlayerAsync(string stream, TimeSpan timeout)
    {
        string line = $"play: name='{stream}'";
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!ErrorLog.Contains(line, StringComparison.Ordinal))
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            // nginx tells nothing but its log: look at it again shortly.
            await Task.Delay(25);
        }

        return true;
    }

    public static async Task<NginxRtmp> StartAsync(string? certificate = null, string? key = null)
    {
        foreach (string required in new[] { Binary, RtmpModule }.Concat(certificate is null ? [] : [StreamModule]))
        {
            if (!File.Exists(required))
            {
                throw new InvalidOperationException($"{required} is missing; scripts/test.sh installs the test peers (apt-get install nginx libnginx-mod-rtmp libnginx-mod-stream).");
            }
        }

        string directory = Path.Combine(Path.GetTempPath(), "edgertmp-nginx-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "logs"));
        var nginx = new NginxRtmp(directory, FreePort(), certificate is null ? 0 : FreePort());
        File.WriteAllText(nginx.ConfigPath, nginx.Config(certificate, key));
        await nginx.StartAgainAsync();
        return nginx;
    }

    /// <summary>Starts nginx (again) on the same ports and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        _process = PeerProcess.Start(Binary, "-c", ConfigPath, "-p", Directory);
        long deadline = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited at once ({_process.ExitCode}): {_process.StandardError}\n{ErrorLog}");
            }

            if (await AcceptsAsync(Port) && (TlsPort == 0 || await AcceptsAsync(TlsPort)))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"nginx did not listen on {Port} within 10 s: {_process.StandardError}\n{ErrorLog}");
    }

    /// <summary>Kills nginx at once (an outage: every connection drops).</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Config(string? certificate, string? key)
    {
        var config = new StringBuilder();
        config.AppendLine($"load_module {RtmpModule};");
        if (certificate is not null)
        {
            config.AppendLine($"load_module {StreamModule};");
        }

        config.AppendLine($$"""
            daemon off;
            master_process off;
            error_log {{Directory}}/error.log info;
            pid {{Directory}}/nginx.pid;
            events { worker_connections 256; }
            rtmp {
                server {
                    listen 127.0.0.1:{{Port}};
                    chunk_size 4096;
                    application live { live on; play_restart on; }
                    application deny { live on; deny publish all; }
                }
            }
            """);
        if (certificate is not null)
        {
            config.AppendLine($$"""
                stream {
                    server {
                        listen 127.0.0.1:{{TlsPort}} ssl;
                        ssl_certificate {{certificate}};
                        ssl_certificate_key {{key}};
                        proxy_pass 127.0.0.1:{{Port}};
                    }
                }
                """);
        }

        // The http block nginx always has needs its temp paths out of /var/lib/nginx.
        config.AppendLine($$"""
            http {
                access_log off;
                client_body_temp_path {{Directory}}/body;
                proxy_temp_path {{Directory}}/proxy;
                fastcgi_temp_path {{Directory}}/fastcgi;
                uwsgi_temp_path {{Directory}}/uwsgi;
                scgi_temp_path {{Directory}}/scgi;
            }
            """);
        return config.ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
