using System.Net.Sockets;
using System.Security.Authentication;
using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Net.Client;

/// <summary>Where a publish attempt was when it failed.</summary>
public enum PublishStage
{
    /// <summary>TCP, TLS, handshake and <c>connect</c>.</summary>
    Connect,

    /// <summary>createStream, releaseStream/FCPublish/publish, until Publish.Start.</summary>
    Publish,

    /// <summary>After Publish.Start.</summary>
    Live,
}

/// <summary>
/// Why an upstream attempt failed, and whether retrying can fix it. A refusal is what the server
/// decided about us (bad stream key, unknown app, a certificate we do not trust): the panel shows it
/// as "upstream refuses us" and we retry only at the backoff cap.
/// </summary>
public readonly record struct UpstreamFailure(bool IsRefusal, string Reason)
{
    /// <summary>Status codes a server sends when it will not take us whatever we retry.</summary>
    public static bool IsRefusalCode(string? code) => code is StatusCode.PublishDenied or StatusCode.PublishBadName
        or StatusCode.ConnectRejected or StatusCode.ConnectInvalidApp or StatusCode.PlayStreamNotFound;

    public static UpstreamFailure Classify(Exception error, PublishStage stage)
    {
        ArgumentNullException.ThrowIfNull(error);
        switch (error)
        {
            case RtmpClientException client when IsRefusalCode(client.StatusCode):
                return new UpstreamFailure(true, client.Message);
            case RtmpClientException client when client.StatusCode is null && client.ClosedByPeer && stage == PublishStage.Publish:
                // nginx-rtmp answers a denied publish ("deny publish", a failing on_publish) by closing
                // the connection, with no status: the server has decided, so this is a refusal too.
                return new UpstreamFailure(true, "the server closed the connection in answer to publish (publishing is denied there, or the stream key is wrong)");
            case RtmpClientException client when client.StatusCode is null && client.ClosedByPeer && stage == PublishStage.Connect:
                // nginx-rtmp closes the connection on connect to an application it does not have.
                return new UpstreamFailure(true, "the server closed the connection in answer to connect (is the application name right?)");
            case AuthenticationException tls:
                return new UpstreamFailure(true, "TLS failed: " + (tls.InnerException?.Message is { } inner ? $"{tls.Message} ({inner})" : tls.Message));
            case RtmpClientException client:
                return new UpstreamFailure(false, client.Message);
            case SocketException socket:
                return new UpstreamFailure(false, $"cannot reach the server: {socket.Message}");
            case TimeoutException or OperationCanceledException:
                return new UpstreamFailure(false, "the server did not answer in time");
            case RtmpProtocolException protocol:
                return new UpstreamFailure(false, "protocol error: " + protocol.Message);
            case IOException io:
                return new UpstreamFailure(false, "connection failed: " + io.Message);
            default:
                return new UpstreamFailure(false, error.Message);
        }
    }
}
