using EdgeRtmp.Panel;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Panel;

public sealed class PanelButtonTests
{
    private static readonly TimeSpan LongPress = TimeSpan.FromSeconds(3);

    [Fact]
    public void A_release_before_the_long_press_time_is_a_short_press()
    {
        var time = new FakeTimeProvider();
        using var button = Button(time, TimeSpan.Zero, out var log);
        button.OnEdge(true);
        time.Advance(TimeSpan.FromMilliseconds(2999));
        button.OnEdge(false);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["short"], log);
    }

    [Fact]
    public void Holding_fires_the_long_press_at_its_time_and_the_release_after_it_is_nothing()
    {
        var time = new FakeTimeProvider();
        using var button = Button(time, TimeSpan.Zero, out var log);
        button.OnEdge(true);
        time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.Empty(log);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["long"], log);
        time.Advance(TimeSpan.FromSeconds(5));
        button.OnEdge(false);
        Assert.Equal(["long"], log);
    }

    [Fact]
    public void Bounce_within_the_debounce_window_counts_as_one_press()
    {
        var time = new FakeTimeProvider();
        using var button = Button(time, TimeSpan.FromMilliseconds(20), out var log);
        button.OnEdge(true);
        for (int i = 0; i < 4; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            button.OnEdge(i % 2 != 0);
        }

        time.Advance(TimeSpan.FromMilliseconds(200));
        button.OnEdge(false);
        time.Advance(TimeSpan.FromMilliseconds(2));
        button.OnEdge(true);
        time.Advance(TimeSpan.FromMilliseconds(2));
        button.OnEdge(false);
        Assert.Equal(["short"], log);
    }

    [Fact]
    public void A_hold_timer_left_from_an_earlier_press_does_not_cut_a_new_press_short()
    {
        var time = new FakeTimeProvider();
        using var button = Button(time, TimeSpan.Zero, out var log);
        button.OnEdge(true);
        time.Advance(TimeSpan.FromSeconds(2));
        button.OnEdge(false);
        button.OnEdge(true);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["short"], log);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["short", "long"], log);
    }

    [Fact]
    public void A_press_shorter_than_the_debounce_window_is_noise_neither_a_press_nor_a_restart()
    {
        var time = new FakeTimeProvider();
        bool level = true;
        using var button = Button(time, TimeSpan.FromMilliseconds(20), out var log, () => level);
        button.OnEdge(true);
        Assert.True(button.IsPressed);
        time.Advance(TimeSpan.FromMilliseconds(5));
        level = false;
        button.OnEdge(false);
        time.Advance(TimeSpan.FromMilliseconds(15));
        Assert.False(button.IsPressed);
        time.Advance(LongPress);
        Assert.Empty(log);
    }

    [Fact]
    public void The_first_edge_is_acted_on_at_once_and_a_press_that_began_inside_the_window_starts_when_it_closes()
    {
        var time = new FakeTimeProvider();
        bool level = true;
        using var button = Button(time, TimeSpan.FromMilliseconds(20), out var log, () => level);

        // Held 100 ms: the release is acted on the moment it comes, no debounce delay.
        button.OnEdge(true);
        time.Advance(TimeSpan.FromMilliseconds(100));
        level = false;
        button.OnEdge(false);
        Assert.Equal(["short"], log);

        // Pressed again 10 ms later (its edge falls in the window and is dropped): the line is read as the window
        // closes, and the press is held into a long press.
        time.Advance(TimeSpan.FromMilliseconds(10));
        level = true;
        button.OnEdge(true);
        Assert.False(button.IsPressed);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(button.IsPressed);
        time.Advance(LongPress);
        Assert.Equal(["short", "long"], log);
    }

    [Fact]
    public void A_hold_timer_that_fires_a_little_early_still_gives_the_long_press()
    {
        // The system timer counts a coarse clock and can fire a tick before the hold is complete by the timestamp.
        var time = new ObservedTimeProvider(fireEarly: TimeSpan.FromMilliseconds(4));
        bool level = true;
        using var button = Button(time, TimeSpan.FromMilliseconds(20), out var log, () => level);

        button.OnEdge(true);
        time.Advance(LongPress - TimeSpan.FromMilliseconds(4));
        Assert.Empty(log);
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(["long"], log);
        time.Advance(TimeSpan.FromMilliseconds(600));
        level = false;
        button.OnEdge(false);
        Assert.Equal(["long"], log);
    }

    [Fact]
    public void A_settle_timer_that_fires_a_little_early_still_reads_the_line_as_the_window_closes()
    {
        var time = new ObservedTimeProvider(fireEarly: TimeSpan.FromMilliseconds(4));
        bool level = true;
        using var button = Button(time, TimeSpan.FromMilliseconds(20), out _, () => level);
        button.OnEdge(true);
        time.Advance(TimeSpan.FromMilliseconds(5));
        level = false;
        button.OnEdge(false);
        time.Advance(TimeSpan.FromMilliseconds(11));
        Assert.True(button.IsPressed);
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.False(button.IsPressed);
    }

    private static PanelButton Button(TimeProvider time, TimeSpan debounce, out List<string> log, Func<bool>? readPressed = null)
    {
        var events = new List<string>();
        var button = new PanelButton(time, LongPress, debounce, readPressed);
        button.ShortPress += () => events.Add("short");
        button.LongPress += () => events.Add("long");
        log = events;
        return button;
    }
}
