using EdgeRtmp.Net.Client;
using EdgeRtmp.Panel;
using EdgeRtmp.Pipeline;
using static EdgeRtmp.Panel.LedPattern;

namespace EdgeRtmp.Tests.Panel;

/// <summary>Every row of shared/DESIGN.md's LED table, one transition at a time.</summary>
public sealed class PanelStateTests
{
    [Fact]
    public void Without_upstreams_the_status_led_is_solid_while_the_source_produces_and_slow_otherwise()
    {
        var state = new PanelState(upstreamCount: 0, upstreamWanted: true);
        Assert.Equal(new PanelLeds(SlowBlink, Off, Off), state.Leds);
        Assert.True(state.SetSource(SourceCondition.Producing));
        Assert.Equal(new PanelLeds(On, Off, Off), state.Leds);
        Assert.True(state.SetSource(SourceCondition.Failed));
        Assert.Equal(new PanelLeds(SlowBlink, On, Off), state.Leds);
        Assert.True(state.SetSource(SourceCondition.Starting));
        Assert.Equal(new PanelLeds(SlowBlink, Off, Off), state.Leds);
        Assert.True(state.SetSource(SourceCondition.Producing));
        Assert.Equal(new PanelLeds(On, Off, Off), state.Leds);
    }

    [Theory]
    [InlineData(PublisherStateKind.Stopped, FastBlink, Off)]
    [InlineData(PublisherStateKind.WaitingForSource, FastBlink, Off)]
    [InlineData(PublisherStateKind.Connecting, FastBlink, Off)]
    [InlineData(PublisherStateKind.Live, On, Off)]
    [InlineData(PublisherStateKind.Retrying, FastBlink, Off)]
    [InlineData(PublisherStateKind.Refused, FastBlink, On)]
    public void With_the_upstream_wanted_each_publisher_state_shows(PublisherStateKind kind, LedPattern status, LedPattern error)
    {
        var state = new PanelState(upstreamCount: 1, upstreamWanted: true);
        state.SetSource(SourceCondition.Producing);
        state.SetUpstream(0, kind);
        Assert.Equal(new PanelLeds(status, error, Off), state.Leds);
    }

    [Theory]
    [InlineData(PublisherStateKind.Stopped)]
    [InlineData(PublisherStateKind.Live)]
    [InlineData(PublisherStateKind.Refused)]
    public void Idle_upstream_blinks_slowly_and_a_refusal_we_no_longer_want_is_no_error(PublisherStateKind kind)
    {
        var state = new PanelState(upstreamCount: 1, upstreamWanted: false);
        state.SetSource(SourceCondition.Producing);
        state.SetUpstream(0, kind);
        Assert.Equal(new PanelLeds(SlowBlink, Off, Off), state.Leds);
    }

    [Fact]
    public void The_story_of_the_box_test_idle_connecting_live_reconnecting_live_idle()
    {
        var state = new PanelState(upstreamCount: 1, upstreamWanted: false);
        state.SetSource(SourceCondition.Producing);
        Assert.Equal(SlowBlink, state.Leds.Status);
        Assert.True(state.SetUpstreamWanted(true));
        Assert.Equal(FastBlink, state.Leds.Status);
        Assert.False(state.SetUpstream(0, PublisherStateKind.Connecting));
        Assert.True(state.SetUpstream(0, PublisherStateKind.Live));
        Assert.Equal(On, state.Leds.Status);
        Assert.True(state.SetUpstream(0, PublisherStateKind.Retrying));
        Assert.Equal(FastBlink, state.Leds.Status);
        Assert.True(state.SetUpstream(0, PublisherStateKind.Live));
        Assert.Equal(On, state.Leds.Status);
        Assert.True(state.SetUpstreamWanted(false));
        Assert.Equal(SlowBlink, state.Leds.Status);
    }

    [Fact]
    public void The_status_is_solid_only_when_every_upstream_is_live()
    {
        var state = new PanelState(upstreamCount: 2, upstreamWanted: true);
        state.SetUpstream(0, PublisherStateKind.Live);
        Assert.Equal(FastBlink, state.Leds.Status);
        state.SetUpstream(1, PublisherStateKind.Live);
        Assert.Equal(On, state.Leds.Status);
        state.SetUpstream(1, PublisherStateKind.Retrying);
        Assert.Equal(FastBlink, state.Leds.Status);
        Assert.False(state.SetUpstream(7, PublisherStateKind.Live));
    }

    [Fact]
    public void A_live_upstream_is_not_shown_as_live_while_the_source_has_failed()
    {
        var state = new PanelState(upstreamCount: 1, upstreamWanted: true);
        state.SetSource(SourceCondition.Producing);
        state.SetUpstream(0, PublisherStateKind.Live);
        Assert.Equal(new PanelLeds(On, Off, Off), state.Leds);

        // The camera fails: the error LED, and the status blinks as for an upstream waiting for its source.
        Assert.True(state.SetSource(SourceCondition.Failed));
        Assert.Equal(new PanelLeds(FastBlink, On, Off), state.Leds);
        Assert.False(state.SetUpstream(0, PublisherStateKind.WaitingForSource));
        Assert.True(state.SetSource(SourceCondition.Producing));
        Assert.True(state.SetUpstream(0, PublisherStateKind.Live));
        Assert.Equal(new PanelLeds(On, Off, Off), state.Leds);
    }

    [Fact]
    public void The_error_led_follows_source_failure_refusal_and_the_recording_floor_until_each_clears()
    {
        var state = new PanelState(upstreamCount: 1, upstreamWanted: true);
        state.SetSource(SourceCondition.Failed);
        Assert.Equal(On, state.Leds.Error);
        state.SetUpstream(0, PublisherStateKind.Refused);
        state.SetSource(SourceCondition.Producing);
        Assert.Equal(On, state.Leds.Error);
        state.SetUpstream(0, PublisherStateKind.Live);
        Assert.Equal(Off, state.Leds.Error);
        Assert.True(state.SetRecordingFault(true));
        Assert.Equal(On, state.Leds.Error);
        Assert.True(state.SetRecordingFault(false));
        Assert.Equal(Off, state.Leds.Error);
    }

    [Fact]
    public void The_viewer_led_is_on_while_at_least_one_player_watches()
    {
        var state = new PanelState(upstreamCount: 0, upstreamWanted: false);
        Assert.True(state.SetViewers(1));
        Assert.Equal(On, state.Leds.Viewer);
        Assert.False(state.SetViewers(3));
        Assert.True(state.SetViewers(0));
        Assert.Equal(Off, state.Leds.Viewer);
    }
}
