using System.Net;
using EdgeRtmp.Hosting;

namespace EdgeRtmp.Tests.Hosting;

public class PlayUrlTests
{
    [Fact]
    public void Wildcard_listen_uses_the_first_lan_address() =>
        Assert.Equal(
            "rtmp://192.168.1.20:1935/live/cam",
            PlayUrl.For(new IPEndPoint(IPAddress.Any, 1935), "live", "cam", () => IPAddress.Parse("192.168.1.20")));

    [Fact]
    public void IPv6_wildcard_also_uses_the_first_lan_address() =>
        Assert.Equal(
            "rtmp://10.1.2.3:1935/live/cam",
            PlayUrl.For(new IPEndPoint(IPAddress.IPv6Any, 1935), "live", "cam", () => IPAddress.Parse("10.1.2.3")));

    [Fact]
    public void Wildcard_without_a_lan_address_falls_back_to_loopback() =>
        Assert.Equal("rtmp://127.0.0.1:1935/live/cam", PlayUrl.For(new IPEndPoint(IPAddress.Any, 1935), "live", "cam", () => null));

    [Fact]
    public void Specific_address_is_used_as_is() =>
        Assert.Equal("rtmp://127.0.0.1:40000/app/s", PlayUrl.For(new IPEndPoint(IPAddress.Loopback, 40000), "app", "s"));

    [Fact]
    public void IPv6_address_is_bracketed() =>
        Assert.Equal("rtmp://[::1]:1935/live/cam", PlayUrl.For(new IPEndPoint(IPAddress.IPv6Loopback, 1935), "live", "cam"));
}
