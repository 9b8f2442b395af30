using EdgeRtmp.Protocol;

namespace EdgeRtmp.Protocol.Tests;

public class RtmpLimitsTests
{
    [Fact]
    public void Defaults_stay_below_the_wire_maximum_message_length()
    {
        Assert.True(RtmpLimits.Default.MaxMessageLength <= 0xFFFFFF);
        Assert.True(RtmpLimits.Default.MaxChunkStreams > 0);
    }
}
