using EdgeRtmp.Configuration;
using EdgeRtmp.Hosting;
using EdgeRtmp.Interop.Tests.Support;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Interop.Tests.Hosting;

public class PushServiceTests
{
    [Fact]
    public async Task Pushes_the_local_stream_to_every_enabled_url_and_skips_disabled_ones()
    {
        string sample = await Samples.H264AacAsync();
        await using LocalServer upstream = await LocalServer.StartAsync();
        var registry = new StreamRegistry();
        var service = new PushService(registry, "live", "cam",
        [
            new PushTarget { Url = upstream.Url("live/a?key=secret") },
            new PushTarget { Url = upstream.Url("live/b?key=secret"), Enabled = false },
        ], NullLoggerFactory.Instance);
        await service.StartAsync(CancellationToken.None);
        StreamHub local = registry.Acquire("live/cam");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task<bool> feeding = FileFeeding.LoopAsync(sample, local, stop.Token);
        try
        {
            Assert.Single(service.Publishers);
            Assert.True(await service.Publishers[0].WaitForStateAsync(s => s.Kind == PublisherStateKind.Live, TimeSpan.FromSeconds(10)), service.Publishers[0].State.ToString());
            Assert.True(await upstream.WaitForPublisherAsync("live/a", TimeSpan.FromSeconds(5)));
            Assert.Null(upstream.Streams.Find("live/b"));
        }
        finally
        {
            await stop.CancelAsync();
            await feeding;
            await service.DisposeAsync();
            registry.Release(local);
        }

        Assert.Equal(PublisherStateKind.Stopped, service.Publishers.Count == 0 ? PublisherStateKind.Stopped : service.Publishers[0].State.Kind);
    }
}
