namespace EdgeRtmp.Net.Streams;

/// <summary>
/// Publishes an FLV file into a <see cref="StreamHub"/> as a live publisher would (<c>publish --video file:PATH.flv</c>):
/// <see cref="FlvPacer"/> in bursts of <see cref="Burst"/>, the file's own timestamps, once or looping.
/// </summary>
public static class FlvHubFeeder
{
    /// <summary>
    /// How early a tag may leave: one wake-up and one gathered write per this much media. ffmpeg -re wakes once per
    /// packet; a burst costs a fraction of that (measured: docs/BENCHMARKS.md), and an upstream server buffers far more.
    /// </summary>
    public static readonly TimeSpan Burst = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Runs until the file ends (when not looping), <paramref name="duration"/> of media has been written, or
    /// cancellation. <paramref name="whenClaimed"/> runs once the hub is ours and before the first frame (a
    /// publisher waits there until its upstream is live, so the upstream gets the file from its first frame).
    /// </summary>
    /// <returns>Frames written to the hub.</returns>
    public static async Task<long> RunAsync(string path, StreamHub hub, bool loop, TimeSpan? duration, CancellationToken cancellationToken, Func<CancellationToken, Task>? whenClaimed = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var owner = new object();
        if (!hub.TryStartPublishing(owner))
        {
            throw new InvalidOperationException($"The stream {hub.Name} already has a publisher.");
        }

        try
        {
            if (whenClaimed is not null)
            {
                await whenClaimed(cancellationToken).ConfigureAwait(false);
            }

            var options = new FlvPacingOptions { Loop = loop, Duration = duration, Burst = Burst };
            return await FlvPacer.RunAsync(FlvPacer.OpenFile(path), options, frame => hub.Write(owner, frame), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            hub.StopPublishing(owner);
        }
    }
}
