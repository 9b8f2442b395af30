using System.Net;
using System.Net.Sockets;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// A tee between one RTMP client and a server: forwards both directions unchanged and writes each to a file
/// (PREFIX.c2s, PREFIX.s2c), so a real session (ffmpeg to our server, ffmpeg to nginx-rtmp) becomes seed material.
/// </summary>
internal static class Capture
{
    public static async Task<int> RunAsync(int listenPort, string upstream, string prefix, TimeSpan limit)
    {
        string[] hostPort = upstream.Split(':');
        using var listener = new TcpListener(IPAddress.Loopback, listenPort);
        listener.Start();
        Console.WriteLine($"capture: listening on 127.0.0.1:{listenPort}, forwarding to {upstream}");
        using var timeout = new CancellationTokenSource(limit);
        using TcpClient client = await listener.AcceptTcpClientAsync(timeout.Token);
        using var server = new TcpClient();
        await server.ConnectAsync(hostPort[0], int.Parse(hostPort[1], System.Globalization.CultureInfo.InvariantCulture), timeout.Token);
        await using FileStream c2s = File.Create(prefix + ".c2s");
        await using FileStream s2c = File.Create(prefix + ".s2c");
        Task up = PumpAsync(client.GetStream(), server.GetStream(), c2s, timeout.Token);
        Task down = PumpAsync(server.GetStream(), client.GetStream(), s2c, timeout.Token);
        await Task.WhenAny(up, down);
        await timeout.CancelAsync();
        client.Close();
        server.Close();
        await Task.WhenAll(Quiet(up), Quiet(down));
        Console.WriteLine($"capture: {c2s.Length} bytes client to server, {s2c.Length} bytes server to client");
        return 0;
    }

    private static async Task PumpAsync(NetworkStream from, NetworkStream to, FileStream record, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int read = await from.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return;
            }

            await record.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static async Task Quiet(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
