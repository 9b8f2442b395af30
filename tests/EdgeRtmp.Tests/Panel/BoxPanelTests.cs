using EdgeRtmp.Net.Client;
using EdgeRtmp.Panel;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Panel;

public sealed class BoxPanelTests
{
    private static readonly PanelOptions Options = new(UpstreamCount: 1, UpstreamWanted: false, TimeSpan.FromSeconds(3), TimeSpan.Zero);

    [Fact]
    public void A_short_press_toggles_going_live_and_the_status_led_follows()
    {
        var time = new FakeTimeProvider();
        var leds = new bool[3];
        using var panel = new BoxPanel(Options, (led, lit) => leds[(int)led] = lit, time);
        var wanted = new List<bool>();
        panel.UpstreamWantedChanged += wanted.Add;
        Assert.Equal(LedPattern.SlowBlink, panel.Leds.Status);

        Press(panel, time, TimeSpan.FromMilliseconds(100));
        Assert.Equal([true], wanted);
        Assert.Equal(LedPattern.FastBlink, panel.Leds.Status);
        panel.SetUpstream(0, PublisherStateKind.Live);
        Assert.Equal(LedPattern.On, panel.Leds.Status);
        Assert.True(leds[(int)PanelLed.Status]);

        Press(panel, time, TimeSpan.FromMilliseconds(100));
        Assert.Equal([true, false], wanted);
        Assert.Equal(LedPattern.SlowBlink, panel.Leds.Status);
    }

    [Fact]
    public void A_long_press_restarts_the_pipeline_and_does_not_toggle_going_live()
    {
        var time = new FakeTimeProvider();
        using var panel = new BoxPanel(Options, (_, _) => { }, time);
        int restarts = 0;
        var wanted = new List<bool>();
        panel.RestartRequested += () => restarts++;
        panel.UpstreamWantedChanged += wanted.Add;
        Press(panel, time, TimeSpan.FromSeconds(4));
        Assert.Equal(1, restarts);
        Assert.Empty(wanted);
        Assert.False(panel.UpstreamWanted);
    }

    [Fact]
    public void The_record_button_asks_to_toggle_recording_and_a_recording_fault_lights_the_error_led()
    {
        var time = new FakeTimeProvider();
        var leds = new bool[3];
        using var panel = new BoxPanel(Options, (led, lit) => leds[(int)led] = lit, time);
        int toggles = 0;
        panel.RecordToggleRequested += () => toggles++;
        panel.RecordButtonEdge(true);
        time.Advance(TimeSpan.FromMilliseconds(80));
        panel.RecordButtonEdge(false);
        Assert.Equal(1, toggles);
        panel.SetRecordingFault(true);
        Assert.True(leds[(int)PanelLed.Error]);
    }

    [Fact]
    public void Viewers_light_the_viewer_led()
    {
        var time = new FakeTimeProvider();
        var leds = new bool[3];
        using var panel = new BoxPanel(Options, (led, lit) => leds[(int)led] = lit, time);
        panel.SetViewers(2);
        Assert.True(leds[(int)PanelLed.Viewer]);
        panel.SetViewers(0);
        Assert.False(leds[(int)PanelLed.Viewer]);
    }

    private static void Press(BoxPanel panel, FakeTimeProvider time, TimeSpan hold)
    {
        panel.LiveButtonEdge(true);
        time.Advance(hold);
        panel.LiveButtonEdge(false);
    }
}
