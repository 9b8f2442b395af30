using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Net.Server;

/// <summary>A session that publishes: keys, the one-publisher rule, and media into the stream hub.</summary>
internal sealed partial class RtmpServerSession
{
    private StreamHub? _publishing;
    private uint _publishStreamId;

    /// <summary>The frames of the current read: they go into the hub as one batch when the read is done.</summary>
    private readonly MediaBatch _readBatch = new();

    private void HandleFCPublish(StreamNameCommand command)
    {
        SendResult(command.TransactionId);
        (string name, _) = StreamPath.Parse(command.StreamName);
        SendStatus(0, StatusLevel.Status, StatusCode.PublishStart, $"FCPublish to {name}.", StatusCommandKind.OnFCPublish);
    }

    private void HandleFCUnpublish(StreamNameCommand command)
    {
        SendResult(command.TransactionId);
        (string name, _) = StreamPath.Parse(command.StreamName);
        SendStatus(0, StatusLevel.Status, StatusCode.UnpublishSuccess, $"FCUnpublish of {name}.", StatusCommandKind.OnFCUnpublish);
    }

    private void HandlePublish(PublishCommand command, uint streamId)
    {
        (string name, string? key) = StreamPath.Parse(command.StreamName);
        if (_publishing is not null || _playing is not null)
        {
            RefusePublish(streamId, StatusCode.PublishBadName, name, "this connection already uses a stream");
            return;
        }

        if (!StreamPath.IsValidName(name))
        {
            RefusePublish(streamId, StatusCode.PublishBadName, name, "the stream name is not valid");
            return;
        }

        if (Options.PublishKey is null)
        {
            RefusePublish(streamId, StatusCode.PublishDenied, name, "publishing to this box is disabled (no Server:PublishKey configured)");
            return;
        }

        if (!KeyMatches(key, Options.PublishKey))
        {
            RefuseKey(
                reason => AnswerPublishRefusal(streamId, StatusCode.PublishDenied, name, reason),
                key is null ? "a publish key is required (stream?key=...)" : "the publish key is wrong",
                reason => ServerLog.PublishRefused(_logger, Id, Remote, name, reason));
            return;
        }

        if (Remote is System.Net.IPEndPoint endPoint)
        {
            _server.KeyGuard.Success(endPoint.Address);
        }

        string path = Options.App + "/" + name;
        StreamHub hub = _server.Streams.Acquire(path);
        if (!hub.TryStartPublishing(this))
        {
            _server.Streams.Release(hub);
            RefusePublish(streamId, StatusCode.PublishBadName, name, "the stream is already being published");
            return;
        }

        _publishing = hub;
        _publishStreamId = streamId;
        Connection.Send(streamId, static (writer, output, id) => UserControlEvent.StreamBegin(id).Write(writer, output));
        SendStatus(streamId, StatusLevel.Status, StatusCode.PublishStart, $"{name} is now published.");
        ServerLog.PublishStarted(_logger, Id, Remote, path);
    }

    private void RefusePublish(uint streamId, string code, string name, string reason)
    {
        ServerLog.PublishRefused(_logger, Id, Remote, name, reason);
        AnswerPublishRefusal(streamId, code, name, reason);
    }

    private void AnswerPublishRefusal(uint streamId, string code, string name, string reason)
    {
        SendStatus(streamId, StatusLevel.Error, code, $"Publishing {name} refused: {reason}.");
        if (code == StatusCode.PublishDenied)
        {
            // A wrong key is not retried on the same connection: say why, then hang up (as nginx-rtmp's on_publish deny does).
            _ = Connection.CloseAfterSendingAsync(new CloseReason(CloseReasonKind.Refused, $"publish refused: {reason}"), RefusalGrace);
        }
    }

    private void StopPublishing(bool sendStatus)
    {
        StreamHub? hub = _publishing;
        if (hub is null)
        {
            return;
        }

        _publishing = null;
        _readBatch.Clear();
        hub.StopPublishing(this);
        _server.Streams.Release(hub);
        ServerLog.PublishStopped(_logger, Id, hub.Name);
        if (sendStatus)
        {
            SendStatus(_publishStreamId, StatusLevel.Status, StatusCode.UnpublishSuccess, $"{hub.Name} is now unpublished.");
        }
    }

    private void HandleMedia(in MessageHeader header, ReadOnlySpan<byte> payload) =>
        Publish(header.Type == RtmpMessageType.Video ? FlvTagType.Video : FlvTagType.Audio, header.Timestamp, payload);

    /// <summary>
    /// Data messages from a publisher. <c>@setDataFrame onMetaData {…}</c> is stored as <c>onMetaData {…}</c>,
    /// which is what players expect; other data (cue points, text) is relayed as it came.
    /// </summary>
    private void HandleData(in RtmpMessage message, ReadOnlySpan<byte> payload, bool amf3)
    {
        if (amf3 && !payload.IsEmpty)
        {
            // Type 15 starts with one format byte before AMF0 values.
            payload = payload[1..];
        }

        Publish(FlvTagType.Script, message.Timestamp, payload);
    }

    private void Publish(FlvTagType type, uint timestamp, ReadOnlySpan<byte> payload)
    {
        StreamHub? hub = _publishing;
        if (hub is null || !FlvFrames.TryClassify(type, payload, out MediaKind kind, out MediaFrameFlags flags, out int skip))
        {
            return;
        }

        _readBatch.Add(MediaFramePool.Shared.Rent(kind, timestamp, flags, payload[skip..]));
    }

    /// <summary>What one read brought (a video frame and the audio that came with it) leaves in one gathered write per player.</summary>
    public void HandleReadComplete(RtmpConnection connection)
    {
        if (_readBatch.Count == 0)
        {
            return;
        }

        try
        {
            _publishing?.Write(this, _readBatch.Frames);
        }
        finally
        {
            _readBatch.Clear();
        }
    }
}
