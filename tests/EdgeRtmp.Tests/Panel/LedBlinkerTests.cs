using EdgeRtmp.Panel;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Panel;

public sealed class LedBlinkerTests
{
    [Theory]
    [InlineData(LedPattern.SlowBlink, 500)]
    [InlineData(LedPattern.FastBlink, 125)]
    public void A_blink_toggles_every_half_period(LedPattern pattern, int halfPeriodMs)
    {
        var time = new FakeTimeProvider();
        var writes = new List<bool>();
        using var led = new LedBlinker(writes.Add, time);
        led.Set(pattern);
        time.Advance(TimeSpan.FromMilliseconds(halfPeriodMs - 1));
        Assert.Equal([false, true], writes);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([false, true, false], writes);
        time.Advance(TimeSpan.FromMilliseconds(halfPeriodMs));
        Assert.Equal([false, true, false, true], writes);
    }

    [Fact]
    public void Solid_and_off_stop_the_timer_and_the_same_pattern_twice_writes_once()
    {
        var time = new FakeTimeProvider();
        var writes = new List<bool>();
        using var led = new LedBlinker(writes.Add, time);
        led.Set(LedPattern.FastBlink);
        led.Set(LedPattern.On);
        led.Set(LedPattern.On);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([false, true, true], writes);
        led.Set(LedPattern.Off);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([false, true, true, false], writes);
    }

    [Fact]
    public void Dispose_turns_the_led_off()
    {
        var time = new FakeTimeProvider();
        bool lit = false;
        var led = new LedBlinker(value => lit = value, time);
        led.Set(LedPattern.On);
        Assert.True(lit);
        led.Dispose();
        Assert.False(lit);
    }
}
