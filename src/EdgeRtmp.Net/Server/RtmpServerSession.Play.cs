using System.Net;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Net.Server;

/// <summary>
/// A session that plays: access checks, the start sequence, and the subscriber side of the hub. A play
/// of a stream nobody publishes yet waits; when the publisher leaves, the player is told and stays for
/// a republish.
/// </summary>
internal sealed partial class RtmpServerSession : IMediaSubscriber
{
    private StreamHub? _playing;
    private uint _playStreamId;
    private bool _paused;
    private bool _receiveAudio = true;
    private bool _receiveVideo = true;
    private bool _subscribing;

    private void HandlePlay(PlayCommand command, uint streamId)
    {
        (string name, string? key) = StreamPath.Parse(command.StreamName);
        if (_publishing is not null || _playing is not null)
        {
            RefusePlay(streamId, name, "this connection already uses a stream");
            return;
        }

        if (!StreamPath.IsValidName(name))
        {
            RefusePlay(streamId, name, "the stream name is not valid");
            return;
        }

        if (!IsAllowedToPlay(Remote))
        {
            RefusePlay(streamId, name, "this address may not play (Server:AllowPlay)");
            return;
        }

        if (Options.PlayKey is not null && !KeyMatches(key, Options.PlayKey))
        {
            RefuseKey(
                reason => AnswerPlayRefusal(streamId, name, reason),
                key is null ? "a play key is required (stream?key=...)" : "the play key is wrong",
                reason => ServerLog.PlayRefused(_logger, Id, Remote, name, reason));
            return;
        }

        if (Options.PlayKey is not null && Remote is IPEndPoint endPoint)
        {
            _server.KeyGuard.Success(endPoint.Address);
        }

        string path = Options.App + "/" + name;
        _playing = _server.Streams.Acquire(path);
        _playStreamId = streamId;
        _server.PlayerStarted();
        Connection.Send(streamId, static (writer, output, id) =>
        {
            UserControlEvent.StreamIsRecorded(id).Write(writer, output);
            UserControlEvent.StreamBegin(id).Write(writer, output);
        });
        SendStatus(streamId, StatusLevel.Status, StatusCode.PlayReset, $"Playing and resetting {name}.");
        SendStatus(streamId, StatusLevel.Status, StatusCode.PlayStart, $"Started playing {name}.");
        Connection.SendCommand(streamId, 0, static (output, _) => new SampleAccessMessage(true, true).Write(output), RtmpMessageType.DataAmf0);
        ServerLog.PlayStarted(_logger, Id, Remote, path, _playing.IsPublishing);

        _subscribing = true;
        _playing.Subscribe(this);
        _subscribing = false;
    }

    private void RefusePlay(uint streamId, string name, string reason)
    {
        ServerLog.PlayRefused(_logger, Id, Remote, name, reason);
        AnswerPlayRefusal(streamId, name, reason);
    }

    private void AnswerPlayRefusal(uint streamId, string name, string reason)
    {
        SendStatus(streamId, StatusLevel.Error, StatusCode.PlayFailed, $"Playing {name} refused: {reason}.");
        _ = Connection.CloseAfterSendingAsync(new CloseReason(CloseReasonKind.Refused, $"play refused: {reason}"), RefusalGrace);
    }

    private bool IsAllowedToPlay(EndPoint? remote)
    {
        if (Options.AllowPlay.Count == 0)
        {
            return true;
        }

        if (remote is not IPEndPoint endPoint)
        {
            return false;
        }

        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        foreach (IPNetwork network in Options.AllowPlay)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private void StopPlaying()
    {
        StreamHub? hub = _playing;
        if (hub is null)
        {
            return;
        }

        _playing = null;
        hub.Unsubscribe(this);
        _server.Streams.Release(hub);
        _server.PlayerStopped();
        ServerLog.PlayStopped(_logger, Id, hub.Name);
    }

    private void HandlePause(PauseCommand command, uint streamId)
    {
        if (_playing is null)
        {
            return;
        }

        _paused = command.Pause;
        if (_paused)
        {
            SendStatus(streamId, StatusLevel.Status, StatusCode.PauseNotify, $"Paused {_playing.Name}.");
        }
        else
        {
            // Live: resume at the next keyframe, not where we paused.
            Connection.RequireKeyframe();
            SendStatus(streamId, StatusLevel.Status, StatusCode.UnpauseNotify, $"Unpaused {_playing.Name}.");
        }
    }

    private void HandleReceive(ReceiveMediaCommand command)
    {
        if (command.Media == ReceivedMedia.Audio)
        {
            _receiveAudio = command.Receive;
        }
        else
        {
            _receiveVideo = command.Receive;
            if (command.Receive)
            {
                Connection.RequireKeyframe();
            }
        }
    }

    void IMediaSubscriber.OnPublishStart(StreamHub hub)
    {
        Connection.RequireKeyframe();
        if (_subscribing)
        {
            return;
        }

        uint streamId = _playStreamId;
        Connection.Send(streamId, static (writer, output, id) => UserControlEvent.StreamBegin(id).Write(writer, output));
        SendStatus(streamId, StatusLevel.Status, StatusCode.PlayPublishNotify, $"{hub.Name} is now published.");
    }

    void IMediaSubscriber.OnFrame(StreamHub hub, MediaFrame frame, bool fromCache)
    {
        if (_paused || (frame.Kind == MediaKind.Audio && !_receiveAudio) || (frame.Kind == MediaKind.Video && !_receiveVideo && !frame.IsSequenceHeader))
        {
            return;
        }

        Connection.EnqueueMedia(frame, _playStreamId, flush: false);
    }

    void IMediaSubscriber.OnFlush(StreamHub hub) => Connection.Flush();

    void IMediaSubscriber.OnPublishStop(StreamHub hub)
    {
        uint streamId = _playStreamId;
        SendStatus(streamId, StatusLevel.Status, StatusCode.PlayUnpublishNotify, $"{hub.Name} is now unpublished.");
        Connection.Send(streamId, static (writer, output, id) => UserControlEvent.StreamEof(id).Write(writer, output));
    }
}
