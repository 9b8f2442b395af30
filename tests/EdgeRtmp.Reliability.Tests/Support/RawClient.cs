using System.Buffers;
using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Protocol.Chunking;
using EdgeRtmp.Protocol.Handshake;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Reliability.Tests.Support;

/// <summary>
/// A TCP peer that says exactly what a test tells it to: raw bytes, a handshake, chunks built by hand or by our
/// writer. It is how the hostile and broken clients are played.
/// </summary>
public sealed class RawClient : IDisposable
{
    private readonly ChunkWriter _writer = new();

    private RawClient(Socket socket, int localPort)
    {
        Socket = socket;
        LocalPort = localPort;
    }

    public Socket Socket { get; }

    /// <summary>The local port: how the server's log names this peer (127.0.0.1:PORT).</summary>
    public int LocalPort { get; }

    public static async Task<RawClient> ConnectAsync(int port, int receiveBuffer = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer > 0)
        {
            socket.ReceiveBufferSize = receiveBuffer;
        }

        // Bound first, so the local port is known even when the connect fails: a socket whose connect was reset has
        // no LocalEndPoint.
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int localPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A server that refuses at once can close before a loaded machine reports the connect as done: the
            // client is already closed, which WaitForCloseAsync reports, and its local port still names it in the log.
        }

        return new RawClient(socket, localPort);
    }

    /// <summary>Handshake, connect to 'live', createStream: ready for play or publish on stream 1.</summary>
    public static async Task<RawClient> ConnectedAsync(int port, int receiveBuffer = 0)
    {
        RawClient client = await ConnectAsync(port, receiveBuffer);
        await client.HandshakeAsync();
        await client.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 0, Command(o => new ConnectCommand { TransactionId = 1, App = "live", TcUrl = $"rtmp://127.0.0.1:{port}/live" }.Write(o)));
        await client.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 0, Command(o => new CreateStreamCommand(2).Write(o)));
        return client;
    }

    public Task SendAsync(ReadOnlyMemory<byte> bytes) => Socket.SendAsync(bytes, SocketFlags.None).AsTask();

    /// <summary>A simple handshake (C0 C1, then C2 once S0 S1 S2 are in).</summary>
    public async Task HandshakeAsync()
    {
        var handshake = RtmpHandshake.CreateClient(HandshakeOptions.Default with { OfferComplex = false });
        var output = new ArrayBufferWriter<byte>();
        handshake.Start(output);
        await SendAsync(output.WrittenMemory.ToArray());
        output.Clear();
        byte[] received = new byte[1 + 2 * RtmpHandshake.PacketLength];
        int filled = 0;
        while (filled < received.Length)
        {
            int read = await Socket.ReceiveAsync(received.AsMemory(filled), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("the server closed during the handshake");
            }

            filled += read;
        }

        var input = new ReadOnlySequence<byte>(received);
        if (!handshake.TryAdvance(ref input, output))
        {
            throw new IOException("the handshake did not complete");
        }

        await SendAsync(output.WrittenMemory.ToArray());
    }

    /// <summary>One message through our chunk writer at the default chunk size (128).</summary>
    public Task SendMessageAsync(int chunkStreamId, RtmpMessageType type, uint messageStreamId, ReadOnlySpan<byte> payload, uint timestamp = 0)
    {
        var output = new ArrayBufferWriter<byte>();
        _writer.WriteMessage(output, chunkStreamId, new MessageHeader(timestamp, payload.Length, type, messageStreamId), payload);
        return SendAsync(output.WrittenMemory.ToArray());
    }

    public static byte[] Command(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads and discards until the server closes; true if it did within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        byte[] sink = new byte[16 * 1024];
        try
        {
            while (await Socket.ReceiveAsync(sink, SocketFlags.None, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => Socket.Dispose();
}
