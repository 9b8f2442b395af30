using System.Diagnostics;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Recording;

/// <summary>The built program recording a real-time source, killed with SIGKILL in the middle of a segment.</summary>
public sealed class RecorderProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_segment_cut_by_SIGKILL_plays_to_within_a_second_of_the_kill()
    {
        using var directory = new TempDirectory();
        string source = RecordingTools.MakeSource(Path.Combine(Path.GetTempPath(), "edgertmp-recorder-source-60s.flv"), 60);
        string recordings = Path.Combine(directory.Path, "recordings");
        string config = directory.Write("edgertmp.json", $$"""
            { "Record": { "Directory": "{{recordings}}", "SegmentSeconds": 10, "MinFreeBytes": 0 } }
            """);
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "edgertmp.dll"),
            "run", "--config", config, "--listen", "127.0.0.1:0", "--video", "file:" + source, "--audio", "none"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string name in start.Environment.Keys.Where(name => name.StartsWith("EDGERTMP__", StringComparison.OrdinalIgnoreCase) || name is "NOTIFY_SOCKET" or "WATCHDOG_USEC").ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var opened = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
            }

            int at = e.Data.IndexOf("Recording segment ", StringComparison.Ordinal);
            if (at >= 0)
            {
                opened.TrySetResult(e.Data[(at + "Recording segment ".Length)..].Trim());
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string segment;
        var sinceOpen = new Stopwatch();
        try
        {
            segment = await opened.Task.WaitAsync(Patience);
            sinceOpen.Start();

            // Real time on purpose: the source plays in real time and the claim is about wall-clock time at the kill.
            await Task.Delay(TimeSpan.FromSeconds(4));
        }
        finally
        {
            process.Kill();
            sinceOpen.Stop();
            await process.WaitForExitAsync().WaitAsync(Patience);
        }

        Assert.True(File.Exists(segment), $"no segment at {segment}\n{log}");
        var (code, _, error) = RecordingTools.Run("ffmpeg", "-v", "error", "-i", segment, "-f", "null", "-");
        Assert.True(code == 0, $"ffmpeg could not play the killed segment: {error}");
        Assert.Equal("", error.Trim());
        double played = RecordingTools.Duration(segment);
        double killedAt = sinceOpen.Elapsed.TotalSeconds;
        Assert.True(played > killedAt - 1.0 && played <= killedAt + 0.5, $"the segment plays {played:0.00} s; the kill came {killedAt:0.00} s after it opened");
        Assert.Equal("1", RecordingTools.FirstVideoFrame(segment));
    }
}
