using System.Net;

namespace EdgeRtmp.Configuration;

/// <summary>Validated configuration: the bound options plus the values parsed out of their strings.</summary>
public sealed record AppSettings(
    EdgeRtmpOptions Options,
    IPEndPoint Listen,
    IReadOnlyList<IPNetwork> AllowPlay,
    VideoSourceSpec Video,
    AudioSourceSpec Audio,
    string? ConfigFile,
    IReadOnlyList<string> Warnings)
{
    public string App => Options.Server.App;

    public string Stream => Options.Server.Stream;
}
