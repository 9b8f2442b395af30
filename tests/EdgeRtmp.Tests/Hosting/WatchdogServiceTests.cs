using EdgeRtmp.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Hosting;

/// <summary>WATCHDOG=1 goes out only while the server serves and every probe (the video pipeline) is healthy.</summary>
public class WatchdogServiceTests
{
    [Fact]
    public async Task Pings_stop_while_a_probe_is_unhealthy_and_resume_when_it_recovers()
    {
        var notifier = new CountingNotifier(TimeSpan.FromMilliseconds(20));
        var health = new ServiceHealth();
        health.Set(true);
        string? pipelineProblem = null;
        health.AddProbe(() => Volatile.Read(ref pipelineProblem));
        var service = new WatchdogService(notifier, health, NullLogger<WatchdogService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(SpinWait.SpinUntil(() => notifier.Pings >= 3, TimeSpan.FromSeconds(10)), "no pings while healthy");

            Volatile.Write(ref pipelineProblem, "video source x has made no frame for 21 s and did not stop when asked");
            Assert.False(health.IsHealthy);
            Assert.Equal(pipelineProblem, health.UnhealthyReason);
            await Task.Delay(100); // a ping already under way may still land
            int withheld = notifier.Pings;
            await Task.Delay(300);
            Assert.Equal(withheld, notifier.Pings);

            Volatile.Write(ref pipelineProblem, null);
            Assert.True(SpinWait.SpinUntil(() => notifier.Pings >= withheld + 3, TimeSpan.FromSeconds(10)), "pings did not resume");
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void A_server_that_does_not_serve_is_unhealthy_with_its_start_failure_as_the_reason()
    {
        var health = new ServiceHealth();
        Assert.Equal("the RTMP server is not serving", health.UnhealthyReason);
        health.Set(true);
        Assert.True(health.IsHealthy);
        health.FailStart("cannot listen on 0.0.0.0:1935: address in use");
        Assert.Equal("cannot listen on 0.0.0.0:1935: address in use", health.UnhealthyReason);
    }

    private sealed class CountingNotifier(TimeSpan interval) : IServiceNotifier
    {
        private int _pings;

        public int Pings => Volatile.Read(ref _pings);

        public TimeSpan? WatchdogInterval => interval;

        public void Ready()
        {
        }

        public void Status(string status)
        {
        }

        public void Watchdog() => Interlocked.Increment(ref _pings);

        public void Stopping()
        {
        }
    }
}
