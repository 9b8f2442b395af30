using EdgeRtmp.Reliability.Tests.Support;
using Xunit.Abstractions;

namespace EdgeRtmp.Reliability.Tests;

/// <summary>
/// The disk filling under the recorder, for real (issue 15): the server records onto a tmpfs of a few hundred
/// kilobytes (<see cref="TinyFileSystem"/>), so the kernel itself answers ENOSPC and statvfs reports the true free
/// space. The stream and its players must keep going, the process must live, and the recorder must say so once and
/// then do what the Recorder's contract says: after a write error it stays stopped (the record button tries again);
/// below <c>Record:MinFreeBytes</c> it stops and resumes by itself once space is back.
/// </summary>
[Collection(nameof(ServerProcessCollection))]
public class DiskFullTests(ITestOutputHelper output)
{
    // The test card at 256×144 compresses to about 7 KB/s whatever the bitrate asks: 128 KiB take about 20 s.
    private static readonly TimeSpan LogWithin = TimeSpan.FromSeconds(120);

    [TinyFileSystemFact]
    public async Task A_full_file_system_stops_recording_with_one_line_and_the_stream_goes_on()
    {
        using var disk = TinyFileSystem.Create(128 * 1024);
        // The floor off: the writes themselves meet ENOSPC, as when another writer fills the card between two checks.
        await using var server = await ServerProcess.StartAsync(disk.Wrapper(), Recording(disk, minFreeBytes: 0), "testcard");
        await using var watcher = await Watcher.StartAsync(server);
        await server.WaitForLogAsync(l => l.Contains("[1450] Recording segment " + disk.Directory), LogWithin, "the recorder never opened a segment");

        string stopped = await server.WaitForLogAsync(l => l.Contains("[1455] Recording stopped"), LogWithin, "the recorder did not notice the file system was full");
        Assert.Contains("No space left on device", stopped, StringComparison.Ordinal);
        Assert.Contains("streaming goes on", stopped, StringComparison.Ordinal);
        int segmentsAtStop = server.CountLog(l => l.Contains("[1450] Recording segment"));

        // Stays stopped: several keyframes (one a second) and sync intervals (2 s) later, nothing new was tried.
        await watcher.ExpectFramesAsync(50, TimeSpan.FromSeconds(60), "after the file system filled up");
        Assert.False(watcher.Disconnected);
        Assert.False(server.HasExited);
        Assert.Equal(1, server.CountLog(l => l.Contains("[1455]")));
        Assert.Equal(segmentsAtStop, server.CountLog(l => l.Contains("[1450] Recording segment")));
        AssertNoFailure(server);

        // What reached the disk is whole FLV up to the cut: the file system is full, not corrupt.
        string[] segments = Directory.GetFiles(disk.SeenBy(server.ProcessId), "*.flv");
        Assert.NotEmpty(segments);
        Assert.InRange(segments.Sum(f => new FileInfo(f).Length), disk.SizeBytes - (32 * 1024), disk.SizeBytes);

        // A new player still gets the stream from the start of a GOP.
        await using var late = await Watcher.StartAsync(server);
    }

    [TinyFileSystemFact]
    public async Task Below_the_free_space_floor_on_a_real_file_system_recording_stops_once_and_resumes_when_space_is_back()
    {
        using var disk = TinyFileSystem.Create(512 * 1024);
        await using var server = await ServerProcess.StartAsync(disk.Wrapper(), Recording(disk, minFreeBytes: 384 * 1024), "testcard");
        await using var watcher = await Watcher.StartAsync(server);

        string floor = await server.WaitForLogAsync(l => l.Contains("[1453] Recording stopped"), LogWithin, "the recorder did not stop at the free-space floor");
        Assert.Contains("below Record:MinFreeBytes 393216", floor, StringComparison.Ordinal);
        await watcher.ExpectFramesAsync(30, TimeSpan.FromSeconds(60), "after recording stopped at the floor");
        Assert.Equal(1, server.CountLog(l => l.Contains("[1453]")));
        Assert.Equal(0, server.CountLog(l => l.Contains("[1455]")));

        // Space comes back (someone copied the recordings off the card): recording resumes by itself within the
        // floor's recheck interval (10 s) and the next keyframe.
        int segmentsBefore = server.CountLog(l => l.Contains("[1450] Recording segment"));
        foreach (string segment in Directory.GetFiles(disk.SeenBy(server.ProcessId), "*.flv"))
        {
            File.Delete(segment);
        }

        await server.WaitForLogAsync(l => l.Contains("[1454] Recording resumes"), LogWithin, "recording did not resume once space was back");
        await server.WaitForLogAsync(
            _ => server.CountLog(l => l.Contains("[1450] Recording segment")) > segmentsBefore, LogWithin, "no new segment after recording resumed");
        await watcher.ExpectFramesAsync(20, TimeSpan.FromSeconds(60), "after recording resumed");
        Assert.False(watcher.Disconnected);
        Assert.False(server.HasExited);
        AssertNoFailure(server);
    }

    private static Dictionary<string, string> Recording(TinyFileSystem disk, long minFreeBytes) => new()
    {
        ["Record:Directory"] = disk.Directory,
        ["Record:SegmentSeconds"] = "10",
        ["Record:MinFreeBytes"] = minFreeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private void AssertNoFailure(ServerProcess server)
    {
        foreach (string line in server.Lines.Where(l => l.Contains("EdgeRtmp.Recording[", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        Assert.Equal(0, server.CountLog(l => l.Contains("[2005]")));
        Assert.DoesNotContain(server.Lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
