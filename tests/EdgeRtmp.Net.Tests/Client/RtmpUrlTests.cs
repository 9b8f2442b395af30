using EdgeRtmp.Net.Client;

namespace EdgeRtmp.Net.Tests.Client;

public class RtmpUrlTests
{
    // Columns: URL, scheme, host, port, app, stream name, tcUrl.
    [Theory]
    [InlineData("rtmp://localhost/live/cam", "rtmp", "localhost", 1935, "live", "cam", "rtmp://localhost/live")]
    [InlineData("rtmp://127.0.0.1:1936/live/cam", "rtmp", "127.0.0.1", 1936, "live", "cam", "rtmp://127.0.0.1:1936/live")]
    [InlineData("rtmps://live-api-s.facebook.com:443/rtmp/FB-123-0-Ab", "rtmps", "live-api-s.facebook.com", 443, "rtmp", "FB-123-0-Ab", "rtmps://live-api-s.facebook.com:443/rtmp")]
    [InlineData("rtmps://example.com/app/s", "rtmps", "example.com", 443, "app", "s", "rtmps://example.com/app")]
    [InlineData("RTMP://Example.COM/live/cam", "rtmp", "Example.COM", 1935, "live", "cam", "rtmp://Example.COM/live")]
    [InlineData("rtmp://[::1]/live/cam", "rtmp", "::1", 1935, "live", "cam", "rtmp://[::1]/live")]
    [InlineData("rtmp://[2001:db8::5]:1937/live/cam", "rtmp", "2001:db8::5", 1937, "live", "cam", "rtmp://[2001:db8::5]:1937/live")]
    [InlineData("rtmp://host/live/cam?key=abc", "rtmp", "host", 1935, "live", "cam?key=abc", "rtmp://host/live")]
    [InlineData("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop", "rtmp", "a.rtmp.youtube.com", 1935, "live2", "abcd-efgh-ijkl-mnop", "rtmp://a.rtmp.youtube.com/live2")]
    // Three or more segments: the second is the application instance, the rest is the stream (FFmpeg's split).
    [InlineData("rtmp://host/app/inst/stream", "rtmp", "host", 1935, "app/inst", "stream", "rtmp://host/app/inst")]
    [InlineData("rtmp://host/app/inst/dir/stream?key=1", "rtmp", "host", 1935, "app/inst", "dir/stream?key=1", "rtmp://host/app/inst")]
    // ...unless the second segment is a playpath with a ':' prefix.
    [InlineData("rtmp://host/vod/mp4:dir/file.mp4", "rtmp", "host", 1935, "vod", "mp4:dir/file.mp4", "rtmp://host/vod")]
    // A query on the app segment (SRS vhost style) stays in the app and so in tcUrl.
    [InlineData("rtmp://host/live?vhost=v.example/cam", "rtmp", "host", 1935, "live?vhost=v.example", "cam", "rtmp://host/live?vhost=v.example")]
    [InlineData("rtmp://my_host-1:65535/live/cam", "rtmp", "my_host-1", 65535, "live", "cam", "rtmp://my_host-1:65535/live")]
    public void Good_urls_split_into_their_parts(string url, string scheme, string host, int port, string app, string stream, string tcUrl)
    {
        Assert.True(RtmpUrl.TryParse(url, out RtmpUrl? parsed, out string? error), error);
        Assert.Equal(scheme, parsed.Scheme);
        Assert.Equal(scheme == "rtmps", parsed.IsSecure);
        Assert.Equal(host, parsed.Host);
        Assert.Equal(port, parsed.Port);
        Assert.Equal(app, parsed.App);
        Assert.Equal(stream, parsed.StreamName);
        Assert.Equal(tcUrl, parsed.TcUrl);
        Assert.Equal(parsed, RtmpUrl.Parse(url));
    }

    // Columns: URL, what the error message must say.
    [Theory]
    [InlineData("", "empty")]
    [InlineData("http://host/live/cam", "scheme is 'http', expected rtmp or rtmps")]
    [InlineData("rtmpt://host/live/cam", "scheme is 'rtmpt'")]
    [InlineData("host/live/cam", "must start with rtmp:// or rtmps://")]
    [InlineData("rtmp:///live/cam", "no host")]
    [InlineData("rtmp://:1935/live/cam", "no host")]
    [InlineData("rtmp://host:0/live/cam", "port 0 is out of range 1-65535")]
    [InlineData("rtmp://host:70000/live/cam", "port 70000 is out of range 1-65535")]
    [InlineData("rtmp://host:1234567/live/cam", "port 1234567 is out of range")]
    [InlineData("rtmp://host:abc/live/cam", "port 'abc' is not a number")]
    [InlineData("rtmp://host:-1/live/cam", "port '-1' is not a number")]
    [InlineData("rtmp://host:/live/cam", "port after ':' is empty")]
    [InlineData("rtmp://host", "no app")]
    [InlineData("rtmp://host/", "no app")]
    [InlineData("rtmp://host//cam", "no app")]
    [InlineData("rtmp://host?key=1", "no app")]
    [InlineData("rtmp://host/live", "no stream name after the app 'live'")]
    [InlineData("rtmp://host/live/", "no stream name")]
    [InlineData("rtmp://host/live/cam x", "space at position 20")]
    [InlineData(" rtmp://host/live/cam", "space at position 0")]
    [InlineData("rtmp://host/live/cam\n", "control character (U+000A) at position 20")]
    [InlineData("rtmp://host/live/c\tam", "control character (U+0009)")]
    [InlineData("rtmp://::1/live/cam", "must be in brackets")]
    [InlineData("rtmp://[::1/live/cam", "no closing ']'")]
    [InlineData("rtmp://[1.2.3.4]/live/cam", "not an IPv6 address")]
    [InlineData("rtmp://[::1]x/live/cam", "after the IPv6 address")]
    [InlineData("rtmp://user:secret@host/live/cam", "user info")]
    [InlineData("rtmp://ho!st/live/cam", "contains '!'")]
    public void Bad_urls_are_refused_with_a_clear_message(string url, string message)
    {
        Assert.False(RtmpUrl.TryParse(url, out RtmpUrl? parsed, out string? error));
        Assert.Null(parsed);
        Assert.Contains(message, error);
        Assert.DoesNotContain("secret", error);
        Assert.Equal(error, Assert.Throws<FormatException>(() => RtmpUrl.Parse(url)).Message);
    }

    [Fact]
    public void An_app_url_without_stream_parses_when_no_stream_is_required()
    {
        RtmpUrl url = RtmpUrl.Parse("rtmp://host:1940/live", requireStreamName: false);
        Assert.Equal("live", url.App);
        Assert.Equal("", url.StreamName);
        Assert.Equal("rtmp://host:1940/live", url.ToString());
    }

    // Columns: URL, ToString(), ToRedactedString().
    [Theory]
    [InlineData("rtmp://host/live/cam?key=abc", "rtmp://host/live/cam?key=****", "rtmp://host/live/****?key=****")]
    [InlineData("rtmp://host/live/camera1?user=bob&Key=abc&token=t0k", "rtmp://host/live/camera1?user=bob&Key=****&token=****", "rtmp://host/live/came****?user=bob&Key=****&token=****")]
    [InlineData("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop", "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop", "rtmp://a.rtmp.youtube.com/live2/abcd****")]
    [InlineData("rtmps://[::1]:4443/app/inst/live_123?auth=x", "rtmps://[::1]:4443/app/inst/live_123?auth=****", "rtmps://[::1]:4443/app/inst/live****?auth=****")]
    [InlineData("rtmp://host/live?vhost=v&token=t/cam", "rtmp://host/live?vhost=v&token=****/cam", "rtmp://host/live?vhost=v&token=****/****")]
    public void ToString_never_prints_a_key(string url, string plain, string redacted)
    {
        RtmpUrl parsed = RtmpUrl.Parse(url);
        Assert.Equal(plain, parsed.ToString());
        Assert.Equal(redacted, parsed.ToRedactedString());
    }
}
