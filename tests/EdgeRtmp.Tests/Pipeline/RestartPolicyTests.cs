using EdgeRtmp.Pipeline;

namespace EdgeRtmp.Tests.Pipeline;

public class RestartPolicyTests
{
    [Fact]
    public void Doubles_from_one_second_to_thirty_and_resets_after_a_minute_of_running()
    {
        var policy = RestartPolicy.Default;
        var delay = TimeSpan.Zero;
        var delays = new List<double>();
        for (int i = 0; i < 7; i++)
        {
            delay = policy.NextDelay(delay, TimeSpan.FromSeconds(2));
            delays.Add(delay.TotalSeconds);
        }

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays);
        Assert.Equal(TimeSpan.FromSeconds(1), policy.NextDelay(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(61)));
    }
}
