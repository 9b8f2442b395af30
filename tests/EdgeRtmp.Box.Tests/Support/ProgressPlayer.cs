using System.Diagnostics;
using System.Globalization;

namespace EdgeRtmp.Box.Tests.Support;

/// <summary>
/// A host ffmpeg playing the box's stream into the null muxer, reporting its decoded frame count ten times a second
/// (<c>-progress pipe:1 -stats_period 0.1</c>): tests wait on the count, never on fixed sleeps.
/// </summary>
public sealed class ProgressPlayer : IDisposable
{
    private readonly Process _process;
    private readonly Task _reader;
    private readonly Task<string> _error;
    private long _frames;
    private long _lastChangeTicks = Stopwatch.GetTimestamp();

    private ProgressPlayer(Process process)
    {
        _process = process;
        _error = process.StandardError.ReadToEndAsync();
        _reader = Task.Run(ReadProgressAsync);
    }

    public long Frames => Interlocked.Read(ref _frames);

    public bool HasExited => _process.HasExited;

    /// <summary>How long the count has not moved.</summary>
    public TimeSpan Unchanged => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastChangeTicks));

    /// <summary>-enc_time_base -1: the stream's millisecond stamps, not ffmpeg's 1/30 s grid (see ServiceTests).</summary>
    public static ProgressPlayer Start(string url) =>
        new(Peer.Start("ffmpeg", ["-nostdin", "-v", "error", "-rw_timeout", "60000000", "-i", url, "-enc_time_base", "-1", "-f", "null", "-",
            "-progress", "pipe:1", "-stats_period", "0.1"]));

    /// <summary>Waits until at least <paramref name="frames"/> were decoded; false after <paramref name="timeout"/> or when ffmpeg ended.</summary>
    public async Task<bool> WaitForFramesAsync(long frames, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (Frames < frames)
        {
            if (deadline.Elapsed > timeout || _process.HasExited)
            {
                return Frames >= frames;
            }

            await Task.Delay(50); // the count itself only moves every 100 ms
        }

        return true;
    }

    /// <summary>Waits until the count has stood still for <paramref name="quiet"/> (frames in flight have landed).</summary>
    public async Task<long> WaitForStillAsync(TimeSpan quiet, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (Unchanged < quiet && deadline.Elapsed < timeout)
        {
            await Task.Delay(50);
        }

        return Frames;
    }

    /// <summary>Stops the player; returns its stderr, prefixed with its exit code when it had ended by itself.</summary>
    public async Task<string> StopAsync()
    {
        bool ended = _process.HasExited;
        if (!ended)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        string error = await _error;
        return ended ? $"ended by itself, exit {_process.ExitCode}: {error}" : error;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task ReadProgressAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("frame=", StringComparison.Ordinal) &&
                long.TryParse(line.AsSpan(6), NumberStyles.Integer, CultureInfo.InvariantCulture, out long frames) && frames != Frames)
            {
                Interlocked.Exchange(ref _frames, frames);
                Interlocked.Exchange(ref _lastChangeTicks, Stopwatch.GetTimestamp());
            }
        }
    }
}
