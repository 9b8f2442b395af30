namespace EdgeRtmp.Net.Client;

public enum PublisherStateKind
{
    /// <summary>The local stream has no source yet (or it stopped, or its source is not producing); nothing to send upstream.</summary>
    WaitingForSource,
    Connecting,
    Live,

    /// <summary>The connection failed or dropped; the next attempt is in <see cref="PublisherState.RetryIn"/>.</summary>
    Retrying,

    /// <summary>The server refuses us (bad key, unknown app, TLS): "upstream refuses us"; retried at the cap.</summary>
    Refused,
    Stopped,
}

/// <summary>What an upstream publisher is doing, for logs, the status line and the panel.</summary>
public readonly record struct PublisherState(PublisherStateKind Kind, string? Reason = null, TimeSpan RetryIn = default)
{
    public override string ToString() => Kind switch
    {
        PublisherStateKind.Retrying => $"retrying in {RetryIn.TotalSeconds:0.0} s: {Reason}",
        PublisherStateKind.Refused => $"refused (next try in {RetryIn.TotalSeconds:0} s): {Reason}",
        _ => Reason is null ? Kind.ToString() : $"{Kind}: {Reason}",
    };
}
