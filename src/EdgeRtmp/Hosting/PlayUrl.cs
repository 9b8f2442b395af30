using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace EdgeRtmp.Hosting;

/// <summary>The URL a player on the network should open: <c>rtmp://HOST:PORT/APP/STREAM</c>.</summary>
public static class PlayUrl
{
    /// <summary>
    /// HOST is the listen address, except for a wildcard (0.0.0.0 or [::]) where it is the machine's first
    /// non-loopback IPv4 address (what a viewer on the LAN can reach), or 127.0.0.1 when there is none.
    /// </summary>
    public static string For(IPEndPoint listening, string app, string stream, Func<IPAddress?>? firstLanAddress = null)
    {
        ArgumentNullException.ThrowIfNull(listening);
        var address = listening.Address;
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            address = (firstLanAddress ?? FirstNonLoopbackIPv4)() ?? IPAddress.Loopback;
        }

        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return $"rtmp://{host}:{listening.Port}/{app}/{stream}";
    }

    public static IPAddress? FirstNonLoopbackIPv4()
    {
        try
        {
            foreach (var networkInterface in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (networkInterface.OperationalStatus != OperationalStatus.Up ||
                    networkInterface.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                foreach (var unicast in networkInterface.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(unicast.Address))
                    {
                        return unicast.Address;
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            // No interface list (odd containers): the caller falls back to loopback.
        }

        return null;
    }
}
