using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Handshake;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Net.Server;

/// <summary>
/// One client of the server, from handshake to close: NetConnection commands here, publishing in
/// <c>RtmpServerSession.Publish.cs</c>, playing in <c>RtmpServerSession.Play.cs</c>.
/// </summary>
internal sealed partial class RtmpServerSession : IRtmpMessageHandler
{
    /// <summary>Window Acknowledgement Size and Set Peer Bandwidth we announce (nginx-rtmp and FFmpeg use the same).</summary>
    private const uint AcknowledgementWindow = 2_500_000;

    private readonly RtmpServer _server;
    private readonly ILogger _logger;
    /// <summary>How long a refused peer has to read why before we hang up.</summary>
    private static readonly TimeSpan RefusalGrace = TimeSpan.FromSeconds(2);

    private readonly long _started;
    private bool _handshakeDone;
    private bool _connected;
    private uint _nextStreamId = 1;
    private long _lastPing;
    private bool _closedByKeyRefusal;

    public RtmpServerSession(RtmpServer server, RtmpConnection connection, long id, ILogger logger)
    {
        _server = server;
        Connection = connection;
        Id = id;
        _logger = logger;
        _started = server.Time.GetTimestamp();
    }

    public long Id { get; }

    public RtmpConnection Connection { get; }

    private RtmpServerOptions Options => _server.Options;

    private EndPoint? Remote => Connection.Transport.RemoteEndPoint;

    public async Task RunAsync(CancellationToken stopping)
    {
        ServerLog.Accepted(_logger, Id, Remote);
        try
        {
            uint epoch = unchecked((uint)(_server.Time.GetTimestamp() * 1000 / _server.Time.TimestampFrequency));
            await Connection.HandshakeAsync(RtmpHandshake.CreateServer(HandshakeOptions.Default with { Epoch = epoch }), stopping).ConfigureAwait(false);
            _handshakeDone = true;
            await Connection.ReceiveLoopAsync(this, stopping).ConfigureAwait(false);
        }
        catch (RtmpProtocolException error)
        {
            Connection.Close(new CloseReason(CloseReasonKind.HandshakeFailed, $"handshake failed: {error.Message}"));
        }
        catch (Exception error) when (error is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Connection.Close(Connection.CloseReason ?? (stopping.IsCancellationRequested ? CloseReason.ServerStopping : new CloseReason(CloseReasonKind.HandshakeFailed, $"handshake failed: {error.Message}")));
        }
        finally
        {
            StopPublishing(sendStatus: false);
            StopPlaying();
            if (_closedByKeyRefusal)
            {
                // The refusal already said why (or, past the first in a minute, is counted rather than logged).
                ServerLog.ClosedAfterKeyRefusal(_logger, Id, Remote, Connection.CloseReason?.Detail ?? "closed");
            }
            else
            {
                ServerLog.Closed(_logger, Id, Remote, Connection.CloseReason?.Detail ?? "closed");
            }
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Once a second (the server's timer): handshake and idle timeouts, and a ping to a quiet peer so a live one answers.</summary>
    public void Maintain()
    {
        TimeProvider time = _server.Time;
        if (!_handshakeDone)
        {
            if (time.GetElapsedTime(_started) > Options.HandshakeTimeout)
            {
                Connection.Close(new CloseReason(CloseReasonKind.HandshakeFailed, $"no handshake within {Options.HandshakeTimeout.TotalSeconds:0} s"));
            }

            return;
        }

        TimeSpan quiet = Connection.SinceLastReceive;
        TimeSpan pingAfter = Options.IdleTimeout / 3;
        if (quiet > Options.IdleTimeout)
        {
            Connection.Close(new CloseReason(CloseReasonKind.IdleTimeout, $"nothing received for {Options.IdleTimeout.TotalSeconds:0} s"));
        }
        else if (quiet > pingAfter && (_lastPing == 0 || time.GetElapsedTime(_lastPing) > pingAfter))
        {
            _lastPing = time.GetTimestamp();
            uint timestamp = unchecked((uint)time.GetElapsedTime(_started).TotalMilliseconds);
            Connection.Send(timestamp, static (writer, output, stamp) => UserControlEvent.PingRequest(stamp).Write(writer, output));
        }
    }

    public void HandleMessage(RtmpConnection connection, in RtmpMessage message)
    {
        ReadOnlySpan<byte> payload = message.Payload.Span;
        switch (message.Type)
        {
            case RtmpMessageType.CommandAmf0:
                HandleCommand(message, payload, amf3: false);
                break;
            case RtmpMessageType.CommandAmf3:
                HandleCommand(message, payload, amf3: true);
                break;
            case RtmpMessageType.DataAmf0:
                HandleData(message, payload, amf3: false);
                break;
            case RtmpMessageType.DataAmf3:
                HandleData(message, payload, amf3: true);
                break;
            case RtmpMessageType.Audio or RtmpMessageType.Video:
                HandleMedia(message.Header, payload);
                break;
            // Aggregates arrive unpacked and ping requests answered (RtmpConnection); Set Chunk Size, Abort and Window Acknowledgement Size were applied by the chunk reader;
            // acknowledgements and peer bandwidth need nothing from a server that does not throttle.
        }
    }

    private void HandleCommand(in RtmpMessage message, ReadOnlySpan<byte> payload, bool amf3)
    {
        byte[]? converted = null;
        if (amf3)
        {
            // Old Flash clients send AMF3 commands; turn them into AMF0 once, then share the AMF0 path.
            var output = new ArrayBufferWriter<byte>(payload.Length + 16);
            Amf3Commands.ToAmf0(payload, output, Options.Limits);
            converted = output.WrittenSpan.ToArray();
            payload = converted;
        }

        CommandHeader header = CommandHeader.Read(payload, amf3Command: false, Options.Limits);
        CommandKind kind = header.Kind;
        if (!_connected && kind != CommandKind.Connect)
        {
            Connection.Close(CloseReason.Protocol($"'{Encoding.UTF8.GetString(header.Name)}' before connect"));
            return;
        }

        switch (kind)
        {
            case CommandKind.Connect:
                HandleConnect(payload);
                break;
            case CommandKind.CreateStream:
                HandleCreateStream(CreateStreamCommand.Read(payload, Options.Limits).TransactionId);
                break;
            case CommandKind.ReleaseStream:
                SendResult(header.TransactionId);
                break;
            case CommandKind.FCPublish:
                HandleFCPublish(StreamNameCommand.Read(payload, Options.Limits));
                break;
            case CommandKind.FCUnpublish:
                HandleFCUnpublish(StreamNameCommand.Read(payload, Options.Limits));
                break;
            case CommandKind.Publish:
                HandlePublish(PublishCommand.Read(payload, Options.Limits), message.MessageStreamId);
                break;
            case CommandKind.Play:
                HandlePlay(PlayCommand.Read(payload, Options.Limits), message.MessageStreamId);
                break;
            case CommandKind.DeleteStream:
                HandleCloseStream((uint)DeleteStreamCommand.Read(payload, Options.Limits).StreamId);
                break;
            case CommandKind.CloseStream:
                HandleCloseStream(message.MessageStreamId);
                break;
            case CommandKind.Pause:
                HandlePause(PauseCommand.Read(payload, Options.Limits), message.MessageStreamId);
                break;
            case CommandKind.ReceiveAudio or CommandKind.ReceiveVideo:
                HandleReceive(ReceiveMediaCommand.Read(payload, Options.Limits));
                break;
            case CommandKind.GetStreamLength:
                // A live stream has no length: FFmpeg asks and accepts 0.
                Connection.SendCommand(0, header.TransactionId, static (output, transactionId) =>
                    new CommandResult { TransactionId = transactionId, Number = 0 }.Write(output));
                break;
            default:
                // _checkbw, onBWDone, custom calls: nothing to do; answering unknown calls would confuse some clients.
                ServerLog.IgnoredCommand(_logger, Id, Encoding.UTF8.GetString(header.Name));
                break;
        }
    }

    private void HandleConnect(ReadOnlySpan<byte> payload)
    {
        ConnectCommand connect = ConnectCommand.Read(payload, Options.Limits);
        if (_connected)
        {
            Connection.Close(CloseReason.Protocol("a second connect on one connection"));
            return;
        }

        string app = StreamPath.AppName(connect.App);
        if (!string.Equals(app, Options.App, StringComparison.Ordinal))
        {
            ServerLog.UnknownApp(_logger, Id, Remote, app);
            Connection.SendCommand(0, (connect.TransactionId, app), static (output, s) => new CommandResult
            {
                IsError = true,
                TransactionId = s.TransactionId,
                Information = new StatusInfo(StatusLevel.Error, StatusCode.ConnectRejected, $"Application '{s.app}' does not exist."),
            }.Write(output));
            _ = Connection.CloseAfterSendingAsync(new CloseReason(CloseReasonKind.Refused, $"unknown application '{app}'"), RefusalGrace);
            return;
        }

        _connected = true;
        int chunkSize = Options.ChunkSize;
        Connection.Send(0, static (writer, output, _) =>
        {
            ProtocolControl.WriteWindowAcknowledgementSize(writer, output, AcknowledgementWindow);
            ProtocolControl.WriteSetPeerBandwidth(writer, output, AcknowledgementWindow, PeerBandwidthLimitType.Dynamic);
        });
        Connection.Send(chunkSize, static (writer, output, size) => ProtocolControl.WriteSetChunkSize(writer, output, size));
        Connection.SendCommand(0, (connect.TransactionId, connect.ObjectEncoding ?? 0), static (output, s) =>
            CommandResult.ConnectSuccess(s.TransactionId, s.Item2).Write(output));
        ServerLog.Connected(_logger, Id, Remote, app, connect.FlashVer ?? "");
    }

    private void HandleCreateStream(double transactionId)
    {
        uint streamId = _nextStreamId++;
        Connection.SendCommand(0, (transactionId, streamId), static (output, s) =>
            CommandResult.CreateStreamResult(s.transactionId, s.streamId).Write(output));
    }

    private void HandleCloseStream(uint streamId)
    {
        if (_publishStreamId == streamId && _publishing is not null)
        {
            StopPublishing(sendStatus: true);
        }

        if (_playStreamId == streamId && _playing is not null)
        {
            StopPlaying();
        }
    }

    private void SendResult(double transactionId)
    {
        if (transactionId != 0)
        {
            Connection.SendCommand(0, transactionId, static (output, id) => new CommandResult { TransactionId = id }.Write(output));
        }
    }

    private void SendStatus(uint streamId, string level, string code, string description, StatusCommandKind kind = StatusCommandKind.OnStatus) =>
        Connection.SendCommand(streamId, (level, code, description, kind), static (output, s) =>
            new OnStatusCommand(new StatusInfo(s.level, s.code, s.description), s.kind).Write(output));

    /// <summary>
    /// A wrong or missing key: the refusal is held back when this address keeps failing (see <see cref="KeyGuard"/>),
    /// logged at most once a minute per address, and the connection closed after it. The key is never logged.
    /// </summary>
    private void RefuseKey(Action<string> refuse, string reason, Action<string> log)
    {
        IPAddress address = Remote is IPEndPoint endPoint ? endPoint.Address : IPAddress.None;
        KeyFailureVerdict verdict = _server.KeyGuard.Failure(address, Environment.TickCount64);
        _closedByKeyRefusal = true;
        if (verdict.Log)
        {
            log(verdict.Unlogged == 0 ? reason : $"{reason}; {verdict.Unlogged} more key refusals from this address in the last minute were not logged");
        }

        if (verdict.Delay <= TimeSpan.Zero)
        {
            refuse(reason);
            return;
        }

        _ = RefuseLaterAsync(refuse, reason, verdict.Delay);
    }

    private async Task RefuseLaterAsync(Action<string> refuse, string reason, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, Connection.Closed).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        refuse(reason);
    }

    /// <summary>Compares a presented key with the configured one in time that does not depend on where they differ.</summary>
    internal static bool KeyMatches(string? presented, string expected)
    {
        if (presented is null)
        {
            return false;
        }

        byte[] a = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        byte[] b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
