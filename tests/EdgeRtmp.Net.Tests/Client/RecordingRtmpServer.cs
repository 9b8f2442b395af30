using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Protocol.Handshake;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Net.Tests.Client;

/// <summary>
/// A minimal RTMP server that accepts connect/createStream/publish and records every command name a
/// client sends, in order, so tests can see what our client says (and when it closes).
/// </summary>
internal sealed class RecordingRtmpServer : IRtmpMessageHandler, IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<string> _commands = [];
    private readonly List<Task> _sessions = [];
    private readonly Task _accepting;

    public RecordingRtmpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_commands)
            {
                return [.. _commands];
            }
        }
    }

    public void HandleMessage(RtmpConnection connection, in RtmpMessage message)
    {
        if (message.Type != RtmpMessageType.CommandAmf0)
        {
            return;
        }

        ReadOnlySpan<byte> payload = message.Payload.Span;
        CommandHeader header = CommandHeader.Read(payload);
        lock (_commands)
        {
            _commands.Add(Encoding.UTF8.GetString(header.Name));
        }

        switch (header.Kind)
        {
            case CommandKind.Connect:
                connection.SendCommand(0, header.TransactionId, static (output, id) => CommandResult.ConnectSuccess(id).Write(output));
                break;
            case CommandKind.CreateStream:
                connection.SendCommand(0, header.TransactionId, static (output, id) => CommandResult.CreateStreamResult(id, 1).Write(output));
                break;
            case CommandKind.Publish:
                connection.SendCommand(message.MessageStreamId, 0, static (output, _) =>
                    new OnStatusCommand(new StatusInfo(StatusLevel.Status, StatusCode.PublishStart, "go")).Write(output));
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(_sessions).WaitAsync(TimeSpan.FromSeconds(5));
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket = await _listener.AcceptSocketAsync();
            lock (_sessions)
            {
                _sessions.Add(RunAsync(socket));
            }
        }
    }

    private async Task RunAsync(Socket socket)
    {
        await using var connection = new RtmpConnection(new SocketTransport(socket), NullLogger.Instance);
        try
        {
            await connection.HandshakeAsync(RtmpHandshake.CreateServer(HandshakeOptions.Default), CancellationToken.None);
            await connection.ReceiveLoopAsync(this, CancellationToken.None);
        }
        catch (Exception error) when (error is IOException or SocketException or EdgeRtmp.Protocol.RtmpProtocolException)
        {
        }

        lock (_commands)
        {
            _commands.Add("(closed)");
        }
    }
}
