using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Box.Tests.Support;
using Xunit.Abstractions;

namespace EdgeRtmp.Box.Tests;

/// <summary>
/// The linux-arm64 Native-AOT edgertmp in the emulated box, installed at boot with deploy/install.sh and run by
/// systemd (PID 1) as deploy/edgertmp.service says. Every wait polls the box with a deadline; the margins are wide
/// because the box is emulated (TCG) on a shared, busy host.
/// </summary>
[Collection(BoxCollection.Name)]
public sealed class ServiceTests(BoxFixture box, ITestOutputHelper output)
{
    private static readonly TimeSpan s_serviceTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_peerTimeout = TimeSpan.FromMinutes(2);

    private static bool Running(IReadOnlyDictionary<string, string> state) =>
        state["ActiveState"] == "active" && state["SubState"] == "running";

    private Task<IReadOnlyDictionary<string, string>> WaitRunningAsync() =>
        box.Control.WaitForServiceAsync(Running, s_serviceTimeout, "edgertmp active (running)");

    [Fact]
    public async Task The_arm64_binary_starts_under_systemd_at_boot_and_READY_came()
    {
        var state = await WaitRunningAsync();

        // Type=notify: systemd moves the unit from "activating (start)" to "active (running)" only on READY=1.
        Assert.StartsWith("serving rtmp://", state["StatusText"], StringComparison.Ordinal);
        var pid = state["MainPID"];
        Assert.Equal("aarch64", (await box.Control.CheckAsync("uname -m")).Trim());
        Assert.Equal("edgertmp 1 edgertmp", (await box.Control.CheckAsync($"ps -o comm=,ppid=,user= -p {pid} | tr -s ' '")).Trim());
        Assert.Contains("enabled", await box.Control.CheckAsync("systemctl is-enabled edgertmp"), StringComparison.Ordinal);
        var groups = await box.Control.CheckAsync($"grep Groups /proc/{pid}/status");
        foreach (var group in new[] { "video", "audio", "gpio" })
        {
            Assert.Contains(await box.Control.CheckAsync($"getent group {group} | cut -d: -f3 | tr -d '\\n'"), groups, StringComparison.Ordinal);
        }

        // Boot to READY on the box's clock (seconds since the kernel started) for docs/BENCHMARKS.md: the first
        // "Started" in the journal, whatever other tests have restarted since.
        output.WriteLine("boot to READY: " + await box.Control.CheckAsync(
            "journalctl -u edgertmp -o short-monotonic --no-pager | grep -m1 'Started edgertmp.service' | cut -d']' -f1 | tr -d '[ '") + " s");
    }

    [Fact]
    public async Task The_host_reads_h264_from_the_box_and_decodes_5_s_cleanly()
    {
        await WaitRunningAsync();

        var probe = await Peer.RunAsync("ffprobe", ["-v", "error", "-rw_timeout", "60000000", "-select_streams", "v:0", "-show_entries", "stream=codec_name",
            "-of", "default=noprint_wrappers=1:nokey=1", box.PlayUrl], s_peerTimeout);
        Assert.True(probe.ExitCode == 0, probe.Error);
        Assert.Equal("h264", probe.Output.Trim());

        // -enc_time_base -1 keeps the stream's millisecond time base: by default ffmpeg rounds each picture onto a
        // 1/30 s grid for the null muxer, and two camera frames 33 ms apart can land in one slot when the millisecond
        // stamps sit at a half-slot from the player's start ("non monotonically increasing dts"), which is ffmpeg's
        // rounding, not a decode error.
        var decode = await Peer.RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-rw_timeout", "60000000", "-i", box.PlayUrl, "-t", "5",
            "-enc_time_base", "-1", "-f", "null", "-"], s_peerTimeout);
        Assert.Equal(0, decode.ExitCode);
        Assert.Equal("", decode.Error);
    }

    [Fact]
    public async Task Systemctl_stop_ends_it_within_3_s_and_players_are_told()
    {
        await WaitRunningAsync();
        using var player = Peer.Start("ffmpeg", ["-nostdin", "-v", "error", "-rw_timeout", "60000000", "-i", box.PlayUrl, "-f", "null", "-"]);
        var playerDone = Peer.WaitAsync(player, s_peerTimeout, "the player");
        try
        {
            await box.Control.WaitForServiceAsync(state => state["StatusText"].EndsWith(", 1 viewer", StringComparison.Ordinal), s_serviceTimeout, "the player counted");

            // systemctl stop returns once the main process has exited. The stop is timed by systemd itself, from
            // leaving "active" (SIGTERM sent) to "inactive" (the process gone): systemctl's own start-up under
            // emulation is no part of it.
            await box.Control.CheckAsync("systemctl stop edgertmp");
            var times = (await box.Control.CheckAsync("systemctl show edgertmp -p ActiveExitTimestampMonotonic,InactiveEnterTimestampMonotonic"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('='))
                .ToDictionary(pair => pair[0], pair => long.Parse(pair[1], CultureInfo.InvariantCulture));
            var milliseconds = (times["InactiveEnterTimestampMonotonic"] - times["ActiveExitTimestampMonotonic"]) / 1000;
            output.WriteLine($"stop took {milliseconds} ms (SIGTERM to exit, on the box's clock)");
            Assert.True(milliseconds <= 3000, $"stop took {milliseconds} ms");
            var state = await box.Control.ServiceAsync();
            Assert.Equal("inactive", state["ActiveState"]);
            Assert.Equal("success", state["Result"]);

            // Told: the player got the end of the stream and the closed connection, and ended by itself without error.
            var played = await playerDone;
            Assert.True(played.ExitCode == 0, $"player exit {played.ExitCode}: {played.Error}");
            var journal = await box.Control.CheckAsync("journalctl -u edgertmp --no-pager -n 40");
            Assert.Contains("Stopped", journal, StringComparison.Ordinal);
        }
        finally
        {
            await box.Control.RunAsync("systemctl start --no-block edgertmp", TimeSpan.FromMinutes(5));
        }

        await WaitRunningAsync();
    }

    [Fact]
    public async Task Kill_9_brings_it_back_through_Restart()
    {
        var before = await WaitRunningAsync();

        await box.Control.CheckAsync($"kill -9 {before["MainPID"]}");

        var after = await box.Control.WaitForServiceAsync(
            state => Running(state) && state["MainPID"] != before["MainPID"] && state["MainPID"] != "0",
            s_serviceTimeout, "a new edgertmp after kill -9");
        Assert.Equal(int.Parse(before["NRestarts"], CultureInfo.InvariantCulture) + 1, int.Parse(after["NRestarts"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_service_whose_watchdog_is_withheld_is_restarted_by_systemd()
    {
        // A short WatchdogSec for this test (a runtime drop-in, gone at the next boot), then freeze the process:
        // its WATCHDOG=1 pings stop, and systemd must kill and restart it.
        const string dropIn = "/run/systemd/system/edgertmp.service.d/box-test-watchdog.conf";
        var before = await WaitRunningAsync();
        await box.Control.CheckAsync($"mkdir -p $(dirname {dropIn}) && printf '[Service]\\nWatchdogSec=8\\n' > {dropIn} && systemctl daemon-reload && systemctl restart --no-block edgertmp");
        try
        {
            var armed = await box.Control.WaitForServiceAsync(
                state => Running(state) && state["MainPID"] != before["MainPID"], s_serviceTimeout, "restarted with WatchdogSec=8");
            Assert.Equal("8s", (await box.Control.CheckAsync("systemctl show edgertmp -p WatchdogUSec --value")).Trim());
            await box.Control.CheckAsync($"kill -STOP {armed["MainPID"]}");

            var after = await box.Control.WaitForServiceAsync(
                state => Running(state) && state["MainPID"] != armed["MainPID"], s_serviceTimeout, "a new edgertmp after the watchdog fired");
            Assert.True(int.Parse(after["NRestarts"], CultureInfo.InvariantCulture) > int.Parse(armed["NRestarts"], CultureInfo.InvariantCulture));
            Assert.Contains("Watchdog timeout", await box.Control.CheckAsync("journalctl -u edgertmp --no-pager"), StringComparison.Ordinal);
        }
        finally
        {
            await box.Control.RunAsync($"rm -f {dropIn}; systemctl daemon-reload; systemctl restart --no-block edgertmp", TimeSpan.FromMinutes(5));
        }

        await WaitRunningAsync();
    }
}
