using System.Net;
using EdgeRtmp.Protocol;

namespace EdgeRtmp.Net.Server;

/// <summary>What the local RTMP server needs to know; the appliance fills it from its configuration.</summary>
public sealed record RtmpServerOptions
{
    public IPEndPoint Listen { get; init; } = new(IPAddress.Any, 1935);

    /// <summary>The one application name players and publishers connect to (rtmp://host/APP/stream).</summary>
    public string App { get; init; } = "live";

    /// <summary>Our outgoing chunk size, announced right after connect.</summary>
    public int ChunkSize { get; init; } = 4096;

    /// <summary>Key external publishers must append as <c>stream?key=…</c>; null refuses every external publisher.</summary>
    public string? PublishKey { get; init; }

    /// <summary>Key players must append as <c>stream?key=…</c>; null lets anyone allowed by <see cref="AllowPlay"/> play.</summary>
    public string? PlayKey { get; init; }

    /// <summary>Networks players may connect from; empty allows every address.</summary>
    public IReadOnlyList<IPNetwork> AllowPlay { get; init; } = [];

    public int MaxConnections { get; init; } = 200;

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A peer that sends nothing (not even an acknowledgement or ping response) for this long is dropped.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Bytes a player's send queue may hold before video is dropped up to the next keyframe.</summary>
    public int PlayerQueueBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>A player whose queue stays over its limit for this long is disconnected.</summary>
    public TimeSpan PlayerStallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public RtmpLimits Limits { get; init; } = RtmpLimits.Default;
}
