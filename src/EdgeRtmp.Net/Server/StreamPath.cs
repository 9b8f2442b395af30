namespace EdgeRtmp.Net.Server;

/// <summary>
/// Splits what clients send as app and stream names. Keys travel as a query: <c>cam?key=SECRET</c>
/// (OBS and FFmpeg put the whole "stream key" field after the app). Names are case-sensitive.
/// </summary>
public static class StreamPath
{
    /// <summary>The application from connect's <c>app</c>, without a query or trailing slash.</summary>
    public static string AppName(string? app)
    {
        if (string.IsNullOrEmpty(app))
        {
            return "";
        }

        int query = app.IndexOf('?');
        return (query >= 0 ? app[..query] : app).TrimEnd('/');
    }

    /// <summary>Splits <c>name?key=…&amp;…</c> into the name and the key (null when absent).</summary>
    public static (string Name, string? Key) Parse(string streamName)
    {
        int query = streamName.IndexOf('?');
        if (query < 0)
        {
            return (streamName, null);
        }

        string name = streamName[..query];
        foreach (string pair in streamName[(query + 1)..].Split('&'))
        {
            if (pair.StartsWith("key=", StringComparison.Ordinal))
            {
                return (name, Uri.UnescapeDataString(pair[4..]));
            }
        }

        return (name, null);
    }

    /// <summary>A name usable as a stream path: non-empty, printable, no path tricks.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 256 && !name.Contains("..", StringComparison.Ordinal) && !name.Any(char.IsControl);
}
