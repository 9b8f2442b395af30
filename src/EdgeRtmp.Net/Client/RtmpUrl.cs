using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeRtmp.Net.Client;

/// <summary>
/// An <c>rtmp://</c> or <c>rtmps://</c> URL split the way FFmpeg's rtmpproto.c splits it:
/// <list type="bullet">
/// <item><c>rtmp://host/app/stream</c> → app "app", stream "stream";</item>
/// <item>three or more path segments, <c>rtmp://host/app/inst/stream</c> → app "app/inst" (an application
/// instance), stream "stream" (everything after the second '/', slashes included);</item>
/// <item>unless the second segment holds a ':' (a playpath prefix like <c>mp4:dir/file</c>): then the app is the
/// first segment only;</item>
/// <item>a query in the app segment stays in the app (<c>rtmp://host/live?vhost=v/cam</c> → app "live?vhost=v",
/// as SRS uses it); the query after the stream name stays with it (<c>cam?key=abc</c>), since that is how servers
/// read stream keys.</item>
/// </list>
/// Not supported (refused with a message): user info (<c>user:pass@host</c>), FFmpeg's <c>?slist=</c> and
/// <c>/ondemand/</c> special forms, and its playpath rewriting (".flv" stripped, "mp4:" added) — we send the stream
/// name exactly as written.
/// <see cref="ToString"/> never prints a stream key: query values that look like secrets are replaced by ****.
/// </summary>
public sealed class RtmpUrl : IEquatable<RtmpUrl>
{
    public const int DefaultPort = 1935;
    public const int DefaultSecurePort = 443;

    private const string Mask = "****";
    private const int StreamNameVisiblePrefix = 4;

    private static readonly string[] SecretQueryKeys =
        ["key", "streamkey", "stream_key", "token", "secret", "password", "pass", "pwd", "auth", "sign", "signature"];

    private RtmpUrl(string scheme, string host, int port, bool hasExplicitPort, string app, string streamName)
    {
        Scheme = scheme;
        Host = host;
        Port = port;
        HasExplicitPort = hasExplicitPort;
        App = app;
        StreamName = streamName;
    }

    /// <summary>"rtmp" or "rtmps", lower case.</summary>
    public string Scheme { get; }

    public bool IsSecure => Scheme == "rtmps";

    /// <summary>Host name or address; an IPv6 literal without its brackets.</summary>
    public string Host { get; }

    /// <summary>The port to connect to: as written, else 1935 (rtmp) or 443 (rtmps).</summary>
    public int Port { get; }

    public bool HasExplicitPort { get; }

    /// <summary>The application, with its instance if the path had one ("app" or "app/inst").</summary>
    public string App { get; }

    /// <summary>The stream name (play path) with its query string; empty when parsed without requiring one.</summary>
    public string StreamName { get; }

    /// <summary>The connect command's tcUrl: scheme://host[:port]/app, the port only when the URL named it.</summary>
    public string TcUrl => $"{Scheme}://{Authority}/{App}";

    private string Authority
    {
        get
        {
            string host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
            return HasExplicitPort ? $"{host}:{Port.ToString(CultureInfo.InvariantCulture)}" : host;
        }
    }

    /// <summary>Parses a publish or play URL; throws <see cref="FormatException"/> with the reason.</summary>
    public static RtmpUrl Parse(string url, bool requireStreamName = true) =>
        TryParse(url, out RtmpUrl? result, out string? error, requireStreamName) ? result : throw new FormatException(error);

    /// <summary>
    /// Parses <paramref name="url"/>. On failure <paramref name="error"/> says what is wrong, without
    /// repeating the URL (it may hold a stream key).
    /// </summary>
    public static bool TryParse(string? url, [NotNullWhen(true)] out RtmpUrl? result, [NotNullWhen(false)] out string? error, bool requireStreamName = true)
    {
        result = null;
        if (string.IsNullOrEmpty(url))
        {
            error = "The RTMP URL is empty";
            return false;
        }

        for (int i = 0; i < url.Length; i++)
        {
            char c = url[i];
            if (c == ' ')
            {
                error = $"The RTMP URL contains a space at position {i}; encode it as %20 or remove it";
                return false;
            }

            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                error = $"The RTMP URL contains a control character (U+{(int)c:X4}) at position {i}";
                return false;
            }
        }

        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = "The RTMP URL must start with rtmp:// or rtmps://";
            return false;
        }

        string scheme = url[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("rtmp" or "rtmps"))
        {
            error = $"The URL scheme is '{url[..schemeEnd]}', expected rtmp or rtmps";
            return false;
        }

        int authorityStart = schemeEnd + 3;
        int pathStart = url.IndexOf('/', authorityStart);
        string authority = pathStart < 0 ? url[authorityStart..] : url[authorityStart..pathStart];
        string path = pathStart < 0 ? "" : url[(pathStart + 1)..];

        if (!TryParseAuthority(authority, scheme, out string? host, out int port, out bool explicitPort, out error))
        {
            return false;
        }

        if (!TrySplitPath(path, out string app, out string streamName, out error))
        {
            return false;
        }

        if (requireStreamName && streamName.Length == 0)
        {
            error = $"The RTMP URL has no stream name after the app '{app}' (expected {scheme}://host/{app}/STREAM)";
            return false;
        }

        result = new RtmpUrl(scheme, host, port, explicitPort, app, streamName);
        error = null;
        return true;
    }

    private static bool TryParseAuthority(string authority, string scheme, [NotNullWhen(true)] out string? host, out int port, out bool explicitPort, [NotNullWhen(false)] out string? error)
    {
        host = null;
        port = scheme == "rtmps" ? DefaultSecurePort : DefaultPort;
        explicitPort = false;
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            error = "The RTMP URL has user info (user@host); credentials in the URL are not supported, put the key in the stream name";
            return false;
        }

        if (authority.Contains('?', StringComparison.Ordinal) || authority.Contains('#', StringComparison.Ordinal))
        {
            error = "The RTMP URL has no app: a '/' must follow the host before any '?' or '#'";
            return false;
        }

        string? portText;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "The IPv6 address in the RTMP URL has no closing ']'";
                return false;
            }

            string literal = authority[1..close];
            if (!IPAddress.TryParse(literal, out IPAddress? address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{literal}' in brackets is not an IPv6 address";
                return false;
            }

            host = literal;
            string rest = authority[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                error = $"Unexpected '{rest}' after the IPv6 address; a port is written [addr]:port";
                return false;
            }

            portText = rest.Length > 0 ? rest[1..] : null;
        }
        else
        {
            int colon = authority.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && authority.IndexOf(':', colon + 1) >= 0)
            {
                error = "An IPv6 address in an RTMP URL must be in brackets, e.g. rtmp://[::1]:1935/app/stream";
                return false;
            }

            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
            if (host.Length == 0)
            {
                error = "The RTMP URL has no host";
                return false;
            }

            foreach (char c in host)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
                {
                    error = $"The host '{host}' contains '{c}'; a host is a name, an IPv4 address or a bracketed IPv6 address";
                    return false;
                }
            }
        }

        if (portText is not null)
        {
            explicitPort = true;
            if (portText.Length == 0)
            {
                error = "The port after ':' is empty";
                return false;
            }

            if (!portText.All(char.IsAsciiDigit) || portText.Length > 5)
            {
                error = portText.All(char.IsAsciiDigit)
                    ? $"The port {portText} is out of range 1-65535"
                    : $"The port '{portText}' is not a number";
                return false;
            }

            port = int.Parse(portText, NumberStyles.None, CultureInfo.InvariantCulture);
            if (port is < 1 or > 65535)
            {
                error = $"The port {port} is out of range 1-65535";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>The app/stream split of FFmpeg's rtmp_open (see the type's summary).</summary>
    private static bool TrySplitPath(string path, out string app, out string streamName, [NotNullWhen(false)] out string? error)
    {
        app = "";
        streamName = "";
        int firstSlash = path.IndexOf('/', StringComparison.Ordinal);
        if (firstSlash < 0)
        {
            app = path;
        }
        else
        {
            int secondSlash = path.IndexOf('/', firstSlash + 1);
            int colon = path.IndexOf(':', firstSlash + 1);
            if (secondSlash < 0 || (colon >= 0 && colon < secondSlash))
            {
                app = path[..firstSlash];
                streamName = path[(firstSlash + 1)..];
            }
            else
            {
                app = path[..secondSlash];
                streamName = path[(secondSlash + 1)..];
            }
        }

        if (app.Length == 0 || app.StartsWith('?'))
        {
            error = "The RTMP URL has no app (expected rtmp://host/APP/stream)";
            return false;
        }

        if (app.Contains("//", StringComparison.Ordinal) || app.EndsWith('/'))
        {
            error = $"The app '{app}' has an empty path segment";
            return false;
        }

        if (streamName.StartsWith('/') || streamName.StartsWith('?'))
        {
            error = "The stream name is empty (the path has an empty segment before it)";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The URL with secret-looking query values (key=, token=, …) replaced by ****.</summary>
    public override string ToString() => Compose(redactStreamName: false);

    /// <summary>
    /// For logs and the status line when the stream name itself is the key (YouTube, Twitch): the stream
    /// name keeps its first 4 characters and the rest becomes ****; secret query values are masked too.
    /// </summary>
    public string ToRedactedString() => Compose(redactStreamName: true);

    private string Compose(bool redactStreamName)
    {
        var text = new StringBuilder();
        text.Append(Scheme).Append("://").Append(Authority).Append('/').Append(RedactQuery(App));
        if (StreamName.Length > 0)
        {
            text.Append('/');
            int query = StreamName.IndexOf('?', StringComparison.Ordinal);
            string name = query < 0 ? StreamName : StreamName[..query];
            text.Append(!redactStreamName ? name : name.Length > StreamNameVisiblePrefix ? name[..StreamNameVisiblePrefix] + Mask : Mask);
            if (query >= 0)
            {
                text.Append(RedactQuery(StreamName[query..]));
            }
        }

        return text.ToString();
    }

    /// <summary>Masks the values of secret-looking parameters in the part of <paramref name="value"/> after '?'.</summary>
    private static string RedactQuery(string value)
    {
        int query = value.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return value;
        }

        var text = new StringBuilder(value, 0, query + 1, value.Length);
        string[] parameters = value[(query + 1)..].Split('&');
        for (int i = 0; i < parameters.Length; i++)
        {
            if (i > 0)
            {
                text.Append('&');
            }

            string parameter = parameters[i];
            int equals = parameter.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? parameter : parameter[..equals];
            bool secret = equals >= 0 && SecretQueryKeys.Contains(name, StringComparer.OrdinalIgnoreCase);
            text.Append(secret ? name + "=" + Mask : parameter);
        }

        return text.ToString();
    }

    public bool Equals(RtmpUrl? other) =>
        other is not null && Scheme == other.Scheme && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase)
        && Port == other.Port && HasExplicitPort == other.HasExplicitPort && App == other.App && StreamName == other.StreamName;

    public override bool Equals(object? obj) => Equals(obj as RtmpUrl);

    public override int GetHashCode() => HashCode.Combine(Scheme, Host.ToUpperInvariant(), Port, App, StreamName);
}
