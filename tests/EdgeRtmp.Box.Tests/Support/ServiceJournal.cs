using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeRtmp.Box.Tests.Support;

/// <summary>The box service's default state and its journal, as the camera and audio tests read and restore them.</summary>
public static partial class ServiceJournal
{
    public static readonly TimeSpan ServiceTimeout = TimeSpan.FromMinutes(5);

    public static bool Running(IReadOnlyDictionary<string, string> state) =>
        state["ActiveState"] == "active" && state["SubState"] == "running";

    public static Task<IReadOnlyDictionary<string, string>> WaitRunningAsync(this BoxControl control) =>
        control.WaitForServiceAsync(Running, ServiceTimeout, "edgertmp active (running)");

    /// <summary>The journal's lines of the service (message only) after the first <paramref name="skip"/>.</summary>
    public static async Task<string[]> LinesAsync(this BoxControl control, int skip = 0) =>
        (await control.CheckAsync("journalctl -u edgertmp --no-pager -o cat")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(skip).ToArray();

    /// <summary>
    /// The camera run statistics line (CameraLog 1187, written when a camera run ends): frames captured, bytes the
    /// device thread allocated after warm-up, its CPU time per captured frame.
    /// </summary>
    public static (long Frames, long Allocated, double CpuMicroseconds)? LastRunStatistics(IEnumerable<string> lines, string device)
    {
        Match? last = null;
        foreach (string line in lines)
        {
            Match match = RunStatistics().Match(line);
            if (match.Success && match.Groups["device"].Value == device)
            {
                last = match;
            }
        }

        return last is null ? null : (
            long.Parse(last.Groups["frames"].Value, CultureInfo.InvariantCulture),
            long.Parse(last.Groups["allocated"].Value, CultureInfo.InvariantCulture),
            double.Parse(last.Groups["cpu"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The running counts of the ALSA source's "audio lost" line (AudioLog 1153): device overruns, frames the encoder had no room for.</summary>
    public static (long Overruns, long Refused) AudioLost(IEnumerable<string> lines)
    {
        (long, long) counts = (0, 0);
        foreach (string line in lines)
        {
            Match match = AudioLostLine().Match(line);
            if (match.Success)
            {
                counts = (long.Parse(match.Groups["overruns"].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups["refused"].Value, CultureInfo.InvariantCulture));
            }
        }

        return counts;
    }

    /// <summary>
    /// Whether the audio timeline's count of samples dropped (AudioLog 1154, cumulative, logged every minute) rose in the
    /// journal after its first <paramref name="skip"/> lines: the timeline drops samples to keep audio on the stream's
    /// clock when capture comes late, which a starved box does.
    /// </summary>
    public static bool TimelineDroppedSince(string[] lines, int skip)
    {
        long? previous = null;
        for (int i = 0; i < lines.Length; i++)
        {
            Match match = AudioClockLine().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            long dropped = long.Parse(match.Groups["dropped"].Value, CultureInfo.InvariantCulture);
            if (i >= skip && previous is { } before && dropped > before)
            {
                return true;
            }

            previous = dropped;
        }

        return false;
    }

    [GeneratedRegex(@"clock [+-][\d.]+ ppm against ours, A/V offset -?[\d.]+ ms; (?<dropped>\d+) samples dropped")]
    private static partial Regex AudioClockLine();

    [GeneratedRegex(@"camera (?<device>\S+): (?<frames>\d+) frames captured, \d+ coded, \d+ dropped, (?<allocated>-?\d+) bytes allocated on the device thread after warm-up, (?<cpu>-?[\d.]+) µs CPU per frame")]
    private static partial Regex RunStatistics();

    [GeneratedRegex(@"audio lost: (?<overruns>\d+) device overruns \(capture restarted\) and (?<refused>\d+) frames")]
    private static partial Regex AudioLostLine();
}
