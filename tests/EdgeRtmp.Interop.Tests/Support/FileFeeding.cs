using EdgeRtmp.Media;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Interop.Tests.Support;

/// <summary>An FLV sample played into a hub as a live publisher, through the app's own pacing and pipeline.</summary>
internal static class FileFeeding
{
    /// <summary>The file looped in 100 ms bursts (as <c>publish file:</c> sends it), through a <see cref="MediaPipeline"/>, until cancelled.</summary>
    public static Task<bool> LoopAsync(string path, StreamHub hub, CancellationToken cancellationToken)
    {
        var clock = new PipelineClock();
        var source = new FileMediaSource(path, clock) { Burst = FileMediaSource.PublishBurst };
        return new MediaPipeline(source, hub, clock, NullLogger.Instance).RunAsync(cancellationToken);
    }

    /// <summary>
    /// The file once, with its own timestamps, in 100 ms bursts: claims the hub, waits for <paramref name="whenClaimed"/>
    /// (a publisher going live, so it gets every frame), then plays. Frames written.
    /// </summary>
    public static async Task<long> OnceAsync(string path, StreamHub hub, Func<CancellationToken, Task> whenClaimed, CancellationToken cancellationToken)
    {
        var owner = new HubSink(hub);
        Assert.True(hub.TryStartPublishing(owner), $"{hub.Name} already has a publisher");
        try
        {
            await whenClaimed(cancellationToken);
            var options = new FlvPacingOptions { Loop = false, Burst = FileMediaSource.PublishBurst };
            return await FlvPacer.RunAsync(FlvPacer.OpenFile(path), options, owner, cancellationToken);
        }
        finally
        {
            hub.StopPublishing(owner);
        }
    }

    private sealed class HubSink(StreamHub hub) : IMediaSink
    {
        public void Write(ReadOnlySpan<MediaFrame> frames) => hub.Write(this, frames);
    }
}
