using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeRtmp.Protocol.Handshake;

namespace EdgeRtmp.Protocol.Tests.Handshake;

/// <summary>
/// Our handshake against a real FFmpeg over loopback TCP. FFmpeg as a player speaks the complex handshake
/// and refuses an S1 whose digest or an S2 whose signature it cannot verify ("Server response validating
/// failed", "Signature mismatch"), so its connect command arriving is FFmpeg's own verdict on our bytes.
/// </summary>
public class FfmpegHandshakeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(true, HandshakeKind.Complex)]
    [InlineData(false, HandshakeKind.Simple)]
    public async Task Ffmpeg_player_accepts_our_server_handshake_and_sends_connect(bool acceptComplex, HandshakeKind expected)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var ffmpeg = new FfmpegProcess($"-hide_banner -nostdin -loglevel verbose -i rtmp://127.0.0.1:{port}/live/x -t 1 -f null -");
        using var timeout = new CancellationTokenSource(Bound);

        using Socket socket = await listener.AcceptSocketAsync(timeout.Token);
        var server = RtmpHandshake.CreateServer(new HandshakeOptions { Epoch = 12345, AcceptComplex = acceptComplex });
        byte[] afterHandshake = await RunHandshakeAsync(server, socket, timeout.Token);

        // The first chunk FFmpeg pipelines after C2 is its connect command: fmt 0 on chunk stream 3,
        // message type 20 (AMF0 command), the body starting with the AMF0 string "connect".
        byte[] connect = await ReadAtLeastAsync(socket, afterHandshake, 12 + 10, timeout.Token, ffmpeg);
        Assert.Equal(expected, server.Kind);
        Assert.Equal(0x03, connect[0]);
        Assert.Equal(0x14, connect[7]);
        Assert.Equal([0x02, 0x00, 0x07, .. "connect"u8], connect[12..22]);
        Assert.Equal(0x09_00_7C_02u, server.PeerVersion); // FFmpeg's C1 announces Flash Player 9.0.124.2
    }

    [Fact]
    public async Task Ffmpeg_listening_server_accepts_our_client_C2()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var ffmpeg = new FfmpegProcess($"-hide_banner -nostdin -loglevel debug -listen 1 -timeout 10 -i rtmp://127.0.0.1:{port}/live/x -f null -");
        using var timeout = new CancellationTokenSource(Bound);

        using Socket socket = await ConnectWithRetryAsync(port, timeout.Token, ffmpeg);
        var client = RtmpHandshake.CreateClient(new HandshakeOptions { Epoch = 777 });
        await RunHandshakeAsync(client, socket, timeout.Token);

        // FFmpeg's listening side speaks the simple handshake and logs "Erroneous C2 Message epoch/random does
        // not match up" (checked by hand with a garbage C2) when C2 does not echo its S1.
        Assert.Equal(HandshakeKind.Simple, client.Kind);
        socket.Shutdown(SocketShutdown.Both);
        string log = ffmpeg.WaitAndGetLog(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("Erroneous C2", log);
        Assert.DoesNotContain("Handshake C2 Error", log);
    }

    private static async Task<byte[]> RunHandshakeAsync(RtmpHandshake handshake, Socket socket, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>();
        var buffer = new byte[8192];
        int buffered = 0;
        handshake.Start(output);
        while (true)
        {
            if (output.WrittenCount > 0)
            {
                await socket.SendAsync(output.WrittenMemory, SocketFlags.None, cancellationToken);
                output.ResetWrittenCount();
            }
            if (handshake.IsComplete)
                return buffer[..buffered];

            int read = await socket.ReceiveAsync(buffer.AsMemory(buffered), SocketFlags.None, cancellationToken);
            Assert.True(read > 0, "the peer closed the connection during the handshake");
            var input = new ReadOnlySequence<byte>(buffer, 0, buffered + read);
            handshake.TryAdvance(ref input, output);
            buffered = (int)input.Length;
            input.CopyTo(buffer);
        }
    }

    private static async Task<byte[]> ReadAtLeastAsync(Socket socket, byte[] start, int length, CancellationToken cancellationToken, FfmpegProcess ffmpeg)
    {
        var received = new List<byte>(start);
        var buffer = new byte[4096];
        while (received.Count < length)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            Assert.True(read > 0, "FFmpeg closed the connection after the handshake:\n" + ffmpeg.WaitAndGetLog(TimeSpan.FromSeconds(2)));
            received.AddRange(buffer.AsSpan(0, read));
        }
        return [.. received];
    }

    private static async Task<Socket> ConnectWithRetryAsync(int port, CancellationToken cancellationToken, FfmpegProcess ffmpeg)
    {
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return socket;
            }
            catch (SocketException) when (!ffmpeg.HasExited)
            {
                socket.Dispose();
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private sealed class FfmpegProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();

        public FfmpegProcess(string arguments)
        {
            string? path = Environment.GetEnvironmentVariable("PATH")?.Split(':')
                .Select(directory => Path.Combine(directory, "ffmpeg"))
                .FirstOrDefault(File.Exists);
            Assert.True(path is not null, "ffmpeg is not installed; scripts/test.sh installs it (apt-get install ffmpeg)");

            _process = new Process
            {
                StartInfo = new ProcessStartInfo(path, arguments)
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                },
            };
            _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
            _process.OutputDataReceived += (_, _) => { };
            _process.Start();
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        public bool HasExited => _process.HasExited;

        public string WaitAndGetLog(TimeSpan wait)
        {
            if (!_process.WaitForExit(wait))
                Kill();
            _process.WaitForExit(); // flushes the asynchronous stderr reader
            lock (_log)
                return _log.ToString();
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private void Kill()
        {
            try
            {
                if (!_process.HasExited)
                    _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
