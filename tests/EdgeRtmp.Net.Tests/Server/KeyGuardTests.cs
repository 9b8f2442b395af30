using System.Net;
using EdgeRtmp.Net.Server;

namespace EdgeRtmp.Net.Tests.Server;

public class KeyGuardTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("192.0.2.7");
    private static readonly IPAddress Other = IPAddress.Parse("198.51.100.1");

    [Fact]
    public void The_first_failures_are_answered_at_once_then_each_waits_twice_as_long_up_to_the_cap()
    {
        var guard = new KeyGuard();
        double[] delays = Enumerable.Range(0, 10).Select(i => guard.Failure(Guesser, 1000 + i).Delay.TotalMilliseconds).ToArray();
        Assert.Equal([0, 0, 0, 500, 1000, 2000, 4000, 8000, 8000, 8000], delays);
        Assert.Equal(TimeSpan.Zero, guard.Failure(Other, 1000).Delay);
    }

    [Fact]
    public void An_address_is_logged_once_a_minute_with_the_count_of_failures_it_hid()
    {
        var guard = new KeyGuard();
        Assert.Equal(new KeyFailureVerdict(TimeSpan.Zero, true, 0), guard.Failure(Guesser, 0));
        for (int i = 1; i <= 50; i++)
        {
            Assert.False(guard.Failure(Guesser, i * 1000).Log);
        }

        KeyFailureVerdict minuteLater = guard.Failure(Guesser, 60_000);
        Assert.True(minuteLater.Log);
        Assert.Equal(50, minuteLater.Unlogged);
        Assert.True(guard.Failure(Other, 60_001).Log);
    }

    [Fact]
    public void A_right_key_or_ten_quiet_minutes_clear_an_address()
    {
        var guard = new KeyGuard();
        for (int i = 0; i < 6; i++)
        {
            guard.Failure(Guesser, i);
        }

        guard.Success(Guesser);
        Assert.Equal(TimeSpan.Zero, guard.Failure(Guesser, 10).Delay);
        for (int i = 0; i < 6; i++)
        {
            guard.Failure(Guesser, 20 + i);
        }

        Assert.Equal(TimeSpan.Zero, guard.Failure(Guesser, 25 + (long)KeyGuard.Window.TotalMilliseconds + 1).Delay);
    }

    [Fact]
    public void Failures_from_more_addresses_than_the_table_holds_keep_it_bounded()
    {
        var guard = new KeyGuard();
        for (int i = 0; i < KeyGuard.MaxAddresses * 3; i++)
        {
            guard.Failure(new IPAddress(BitConverter.GetBytes(i + 1)), i);
        }

        Assert.Equal(KeyGuard.MaxAddresses, guard.TrackedAddresses);
    }
}
