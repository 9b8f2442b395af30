namespace EdgeRtmp.Protocol.Messages.Commands;

/// <summary>The <c>level</c> of an info object.</summary>
public static class StatusLevel
{
    public const string Status = "status";
    public const string Warning = "warning";
    public const string Error = "error";
}

/// <summary>The <c>code</c> strings of NetConnection and NetStream status events.</summary>
public static class StatusCode
{
    public const string ConnectSuccess = "NetConnection.Connect.Success";
    public const string ConnectRejected = "NetConnection.Connect.Rejected";
    public const string ConnectFailed = "NetConnection.Connect.Failed";
    public const string ConnectClosed = "NetConnection.Connect.Closed";
    public const string ConnectInvalidApp = "NetConnection.Connect.InvalidApp";
    public const string CallFailed = "NetConnection.Call.Failed";

    public const string PublishStart = "NetStream.Publish.Start";
    public const string PublishBadName = "NetStream.Publish.BadName";
    public const string PublishDenied = "NetStream.Publish.Denied";
    public const string PublishIdle = "NetStream.Publish.Idle";
    public const string UnpublishSuccess = "NetStream.Unpublish.Success";

    public const string PlayReset = "NetStream.Play.Reset";
    public const string PlayStart = "NetStream.Play.Start";
    public const string PlayStop = "NetStream.Play.Stop";
    public const string PlayFailed = "NetStream.Play.Failed";
    public const string PlayStreamNotFound = "NetStream.Play.StreamNotFound";
    public const string PlayUnpublishNotify = "NetStream.Play.UnpublishNotify";
    public const string PlayPublishNotify = "NetStream.Play.PublishNotify";

    public const string PauseNotify = "NetStream.Pause.Notify";
    public const string UnpauseNotify = "NetStream.Unpause.Notify";
    public const string SeekNotify = "NetStream.Seek.Notify";
    public const string StreamFailed = "NetStream.Failed";
}
