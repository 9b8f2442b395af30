using EdgeRtmp.Hosting;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Hosting;

/// <summary>WATCHDOG=1 goes out only while the server serves and every probe (the video pipeline) is healthy.</summary>
public class WatchdogServiceTests
{
    [Fact]
    public async Task Pings_stop_while_a_probe_is_unhealthy_and_resume_when_it_recovers()
    {
        // A fake clock moved one watchdog interval at a time; each tick asks the probe once, so the test waits for
        // that question instead of sleeping.
        var time = new ObservedTimeProvider();
        var interval = TimeSpan.FromSeconds(15);
        var notifier = new CountingNotifier(interval);
        var health = new ServiceHealth();
        health.Set(true);
        string? pipelineProblem = null;
        var asked = new SemaphoreSlim(0);
        health.AddProbe(() =>
        {
            string? problem = Volatile.Read(ref pipelineProblem);
            asked.Release();
            return problem;
        });
        var service = new WatchdogService(notifier, health, NullLogger<WatchdogService>.Instance, time);
        await service.StartAsync(CancellationToken.None);
        async Task TickAsync(SemaphoreSlim done)
        {
            time.Advance(interval);
            Assert.True(await done.WaitAsync(TimeSpan.FromSeconds(30)), "the watchdog did not tick");
        }

        try
        {
            // The service arms its timer on a thread of its own: move time only once it is armed.
            await time.WaitForTimerAsync(interval);
            for (int i = 0; i < 3; i++)
            {
                await TickAsync(notifier.Pinged);
            }

            Volatile.Write(ref pipelineProblem, "source x has made no frame for 21 s and did not stop when asked");
            Assert.False(health.IsHealthy);
            Assert.Equal(pipelineProblem, health.UnhealthyReason);
            while (asked.CurrentCount > 0)
            {
                await asked.WaitAsync();
            }

            // Unhealthy: each tick looks at the probe and sends nothing.
            for (int i = 0; i < 3; i++)
            {
                await TickAsync(asked);
            }

            Assert.Equal(3, notifier.Pings);

            Volatile.Write(ref pipelineProblem, null);
            for (int i = 0; i < 3; i++)
            {
                await TickAsync(notifier.Pinged);
            }

            Assert.Equal(6, notifier.Pings);
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

        public SemaphoreSlim Pinged { get; } = new(0);

        public void Watchdog()
        {
            Interlocked.Increment(ref _pings);
            Pinged.Release();
        }

        public void Stopping()
        {
        }
    }
}
