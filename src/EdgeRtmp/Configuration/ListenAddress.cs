using System.Globalization;
using System.Net;

namespace EdgeRtmp.Configuration;

/// <summary><c>ADDR:PORT</c> with an IP literal; IPv6 in brackets (<c>[::]:1935</c>). Host names are refused:
/// a listen address must not depend on DNS at boot.</summary>
public static class ListenAddress
{
    public const string Expected = "expected ADDR:PORT with an IP address, such as 0.0.0.0:1935 or [::]:1935";

    public static bool TryParse(string? text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        var value = text?.Trim() ?? "";
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            return false;
        }

        var host = value[..colon];
        var portText = value[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        IPAddress? address;
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host[1..^1], out address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else if (host.Contains(':', StringComparison.Ordinal) ||
                 !IPAddress.TryParse(host, out address) ||
                 address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork ||
                 host.Count(c => c == '.') != 3)
        {
            // IPAddress.TryParse takes "1" as 0.0.0.1: insist on dotted quads.
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }

    public static string Format(IPEndPoint endPoint) =>
        endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port}"
            : $"{endPoint.Address}:{endPoint.Port}";
}
