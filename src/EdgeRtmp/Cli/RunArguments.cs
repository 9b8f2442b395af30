namespace EdgeRtmp.Cli;

/// <summary>What <c>edgertmp run</c> was given; null means "not on the command line".</summary>
public sealed record RunArguments(string? ConfigFile, string? Listen, string? Video, string? Audio, IReadOnlyList<string> Push)
{
    /// <summary>The flags as configuration keys, the last and strongest layer.</summary>
    public Dictionary<string, string?> ToOverrides()
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Listen is not null)
        {
            overrides["Server:Listen"] = Listen;
        }

        if (Video is not null)
        {
            overrides["Video:Source"] = Video;
        }

        if (Audio is not null)
        {
            overrides["Audio:Source"] = Audio;
        }

        return overrides;
    }
}
