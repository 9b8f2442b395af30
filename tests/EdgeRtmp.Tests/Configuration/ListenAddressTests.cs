using System.Net;
using EdgeRtmp.Configuration;

namespace EdgeRtmp.Tests.Configuration;

public class ListenAddressTests
{
    [Theory]
    [InlineData("0.0.0.0:1935", "0.0.0.0", 1935)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("[::]:1935", "::", 1935)]
    [InlineData("[::1]:65535", "::1", 65535)]
    [InlineData(" 192.168.1.5:1936 ", "192.168.1.5", 1936)]
    public void Parses(string text, string address, int port)
    {
        Assert.True(ListenAddress.TryParse(text, out var endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endPoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1935")]
    [InlineData(":1935")]
    [InlineData("0.0.0.0:")]
    [InlineData("0.0.0.0:-1")]
    [InlineData("0.0.0.0:65536")]
    [InlineData("1:1935")]
    [InlineData(":::1935")]
    [InlineData("[127.0.0.1]:1935")]
    [InlineData("localhost:1935")]
    public void Refuses(string text) => Assert.False(ListenAddress.TryParse(text, out _));

    [Fact]
    public void Formats_IPv6_in_brackets() =>
        Assert.Equal("[::]:1935", ListenAddress.Format(new IPEndPoint(IPAddress.IPv6Any, 1935)));
}
