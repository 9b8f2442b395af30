using System.Net.Sockets;
using System.Security.Authentication;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Net.Tests.Client;

public class ReconnectBackoffTests
{
    [Fact]
    public void Without_jitter_the_schedule_doubles_from_1_s_to_the_30_s_cap()
    {
        var backoff = new ReconnectBackoff(() => 0.5);
        double[] seconds = [.. Enumerable.Range(0, 8).Select(_ => backoff.NextDelay(TimeSpan.Zero).TotalSeconds)];
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], seconds);
    }

    [Fact]
    public void Jitter_spreads_each_delay_by_20_percent_and_never_past_the_cap()
    {
        var low = new ReconnectBackoff(() => 0);
        var high = new ReconnectBackoff(() => 0.999999);
        Assert.Equal(0.8, low.NextDelay(TimeSpan.Zero).TotalSeconds, 3);
        Assert.Equal(1.2, high.NextDelay(TimeSpan.Zero).TotalSeconds, 3);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(high.NextDelay(TimeSpan.Zero) <= ReconnectBackoff.Cap);
        }
    }

    [Fact]
    public void Sixty_seconds_live_resets_the_schedule_and_less_does_not()
    {
        var backoff = new ReconnectBackoff(() => 0.5);
        for (int i = 0; i < 5; i++)
        {
            backoff.NextDelay(TimeSpan.Zero);
        }

        Assert.Equal(30, backoff.NextDelay(TimeSpan.FromSeconds(59)).TotalSeconds);
        Assert.Equal(1, backoff.NextDelay(TimeSpan.FromSeconds(60)).TotalSeconds);
        Assert.Equal(2, backoff.NextDelay(TimeSpan.Zero).TotalSeconds);
    }

    [Fact]
    public void A_refusal_waits_at_the_cap()
    {
        var backoff = new ReconnectBackoff(() => 0.5);
        Assert.Equal(ReconnectBackoff.Cap, backoff.RefusalDelay());
        Assert.Equal(ReconnectBackoff.Cap * 0.8, new ReconnectBackoff(() => 0).RefusalDelay());
    }

    [Theory]
    [InlineData(StatusCode.PublishDenied, true)]
    [InlineData(StatusCode.PublishBadName, true)]
    [InlineData(StatusCode.ConnectRejected, true)]
    [InlineData(StatusCode.ConnectInvalidApp, true)]
    [InlineData(StatusCode.StreamFailed, false)]
    [InlineData(null, false)]
    public void Status_codes_that_retrying_cannot_fix_are_refusals(string? code, bool refusal)
    {
        UpstreamFailure failure = UpstreamFailure.Classify(new RtmpClientException("The server refused to publish: bad key", code), PublishStage.Publish);
        Assert.Equal(refusal, failure.IsRefusal);
        Assert.Contains("bad key", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_failures_are_refusals_and_network_failures_are_not()
    {
        Assert.True(UpstreamFailure.Classify(new AuthenticationException("The remote certificate is invalid"), PublishStage.Connect).IsRefusal);
        Assert.False(UpstreamFailure.Classify(new SocketException((int)SocketError.ConnectionRefused), PublishStage.Connect).IsRefusal);
        Assert.False(UpstreamFailure.Classify(new IOException("reset"), PublishStage.Live).IsRefusal);
        Assert.False(UpstreamFailure.Classify(new RtmpClientException("The server did not answer within 10 s."), PublishStage.Publish).IsRefusal);
    }

    [Fact]
    public void A_server_that_hangs_up_in_answer_to_connect_or_publish_refuses_us()
    {
        var closed = new RtmpClientException("The connection closed: the peer closed the connection", closedByPeer: true);
        Assert.True(UpstreamFailure.Classify(closed, PublishStage.Publish).IsRefusal);
        Assert.True(UpstreamFailure.Classify(closed, PublishStage.Connect).IsRefusal);
        Assert.False(UpstreamFailure.Classify(closed, PublishStage.Live).IsRefusal);
    }
}
