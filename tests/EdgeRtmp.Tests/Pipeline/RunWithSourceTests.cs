using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using EdgeRtmp.Cli;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Pipeline;

/// <summary><c>run</c> with video sources, in-process; systemd is a datagram socket of the test.</summary>
public class RunWithSourceTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static CliEnvironment Environment(StringWriter error, NotifySocket notify) => new()
    {
        SystemdNotifier = notify.Notifier,
        Out = new StringWriter(),
        Error = error,
        DefaultConfigFile = "/nonexistent/edgertmp.json",
    };

    [Fact]
    public async Task Run_with_defaults_is_ready_once_the_test_card_produces_and_says_so_in_STATUS()
    {
        using var notify = new NotifySocket();
        using var stop = new CancellationTokenSource();
        var error = new StringWriter();

        var run = CommandLine.InvokeAsync(["run", "--listen", "127.0.0.1:0"], Environment(error, notify), stop.Token);

        // Audio auto on a machine without a capture device (the test machine) is the test card's tone.
        Assert.Matches(@"^STATUS=serving rtmp://127\.0\.0\.1:\d+/live/cam \(testcard 640x360@30 \+ tone 440 Hz\), 0 viewers$", await notify.ReceiveAsync(s_timeout));
        Assert.Equal("READY=1", await notify.ReceiveAsync(s_timeout));
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(s_timeout));
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task A_camera_missing_at_start_leaves_the_box_serving_ready_and_feeding_the_watchdog_with_the_failure_in_STATUS()
    {
        using var notify = new NotifySocket();
        using var stop = new CancellationTokenSource();
        var error = new StringWriter();
        var time = new ObservedTimeProvider();
        CliEnvironment environment = Environment(error, notify) with
        {
            Time = time,
            Variables = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = "4000000" },
        };

        var run = CommandLine.InvokeAsync(["run", "--listen", "127.0.0.1:0", "--video", "v4l2:/dev/video9", "--audio", "none"], environment, stop.Token);

        // Up at once: the status line says the source failed and why, and READY=1 follows (no start timeout, no restart loop).
        string status = await notify.ReceiveAsync(s_timeout);
        Match serving = Regex.Match(
            status,
            @"^STATUS=serving rtmp://127\.0\.0\.1:(\d+)/live/cam \(source failed, retrying: v4l2:/dev/video9 is not usable: /dev/video9: no such camera \(unplugged, or its driver is not loaded\)\), 0 viewers$");
        Assert.True(serving.Success, status);
        Assert.Equal("READY=1", await notify.ReceiveAsync(s_timeout));
        using (var player = new TcpClient())
        {
            await player.ConnectAsync(IPAddress.Loopback, int.Parse(serving.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        // The retries go on (1, 2, 4 s apart on this clock) and a source waiting to restart is healthy: WATCHDOG=1 every 2 s.
        // Time moves only once the watchdog's timer is armed (the only 2 s timer before time moves): a move before it
        // would be lost to it, and the fifth ping would never come.
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        for (int tick = 0; tick < 5; tick++)
        {
            time.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal("WATCHDOG=1", await notify.ReceiveAsync(s_timeout));
        }

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(s_timeout));
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task Publish_with_a_missing_camera_exits_1_naming_it()
    {
        using var notify = new NotifySocket();
        var error = new StringWriter();

        var exitCode = await CommandLine.InvokeAsync(["publish", "--to", "rtmp://127.0.0.1:9/live/x", "--video", "v4l2:/dev/video9", "--audio", "none"], Environment(error, notify), CancellationToken.None)
            .WaitAsync(s_timeout);

        Assert.Equal(1, exitCode);
        Assert.Equal("edgertmp: publish: v4l2:/dev/video9 is not usable: /dev/video9: no such camera (unplugged, or its driver is not loaded)" + System.Environment.NewLine, error.ToString());
    }

    [Fact]
    public async Task A_file_that_is_not_a_wav_exits_1_naming_it()
    {
        using var notify = new NotifySocket();
        var error = new StringWriter();
        string path = Path.Combine(Path.GetTempPath(), $"edgertmp-run-{Guid.NewGuid()}.wav");
        await File.WriteAllTextAsync(path, "RIFF but not really a WAVE file");
        try
        {
            var exitCode = await CommandLine.InvokeAsync(["run", "--listen", "127.0.0.1:0", "--audio", "file:" + path], Environment(error, notify), CancellationToken.None)
                .WaitAsync(s_timeout);

            Assert.Equal(1, exitCode);
            Assert.Equal($"edgertmp: file audio: {path}: not a WAV file: it does not start with RIFF....WAVE" + System.Environment.NewLine, error.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_missing_wav_file_is_a_configuration_error()
    {
        using var notify = new NotifySocket();
        var error = new StringWriter();

        var exitCode = await CommandLine.InvokeAsync(["run", "--audio", "file:/nonexistent/loop.wav"], Environment(error, notify), CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            "edgertmp: configuration error: Audio:Source = \"file:/nonexistent/loop.wav\": no such file (the WAV file must exist and be readable)" + System.Environment.NewLine,
            error.ToString());
    }

    [Fact]
    public async Task A_missing_flv_file_is_a_configuration_error()
    {
        using var notify = new NotifySocket();
        var error = new StringWriter();

        var exitCode = await CommandLine.InvokeAsync(["run", "--video", "file:/nonexistent/loop.flv"], Environment(error, notify), CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            "edgertmp: configuration error: Video:Source = \"file:/nonexistent/loop.flv\": no such file (the FLV file must exist and be readable)" + System.Environment.NewLine,
            error.ToString());
    }
}
