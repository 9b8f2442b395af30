using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Cli;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Cli;

/// <summary>The real <c>run</c> command, in-process, on a loopback port; systemd is a datagram socket of the test.</summary>
public class RunCommandTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static CliEnvironment Environment(StringWriter error, NotifySocket notify, params (string Name, string Value)[] variables) => new()
    {
        Variables = variables.ToDictionary(variable => variable.Name, variable => (string?)variable.Value),
        Out = new StringWriter(),
        Error = error,
        DefaultConfigFile = "/nonexistent/edgertmp.json",
        SystemdNotifier = notify.Notifier,
    };

    [Fact]
    public async Task Run_listens_notifies_ready_serves_tcp_and_stops_cleanly_on_cancellation()
    {
        using var notify = new NotifySocket();
        using var stop = new CancellationTokenSource();
        var error = new StringWriter();
        var environment = Environment(error, notify);

        var run = CommandLine.InvokeAsync(["run", "--listen", "127.0.0.1:0", "--video", "none", "--audio", "none"], environment, stop.Token);

        var status = await notify.ReceiveAsync(s_timeout);
        Assert.Matches(@"^STATUS=serving rtmp://127\.0\.0\.1:\d+/live/cam, 0 viewers$", status);
        Assert.Equal("READY=1", await notify.ReceiveAsync(s_timeout));
        var port = int.Parse(status.Split(':')[2].Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(0, port);

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(s_timeout);
            Assert.True(client.Connected);
        }

        await stop.CancelAsync();
        var exitCode = await run.WaitAsync(s_timeout);

        Assert.Equal(0, exitCode);
        Assert.Equal("STOPPING=1", await notify.ReceiveAsync(s_timeout));
        Assert.Equal("", error.ToString());
        using var refused = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => refused.ConnectAsync(IPAddress.Loopback, port).WaitAsync(s_timeout));
    }

    [Fact]
    public async Task Watchdog_pings_at_half_of_WATCHDOG_USEC_while_serving()
    {
        using var notify = new NotifySocket();
        using var stop = new CancellationTokenSource();
        var environment = Environment(
            new StringWriter(), notify, ("WATCHDOG_USEC", "400000"), ("WATCHDOG_PID", System.Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var run = CommandLine.InvokeAsync(["run", "--listen", "127.0.0.1:0", "--video", "none", "--audio", "none"], environment, stop.Token);

        Assert.StartsWith("STATUS=serving ", await notify.ReceiveAsync(s_timeout), StringComparison.Ordinal);
        Assert.Equal("READY=1", await notify.ReceiveAsync(s_timeout));
        Assert.Equal("WATCHDOG=1", await notify.ReceiveAsync(s_timeout));
        Assert.Equal("WATCHDOG=1", await notify.ReceiveAsync(s_timeout));

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task A_port_in_use_exits_1_naming_the_address()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        using var notify = new NotifySocket();
        var error = new StringWriter();

        var exitCode = await CommandLine.InvokeAsync(
            ["run", "--listen", $"127.0.0.1:{port}", "--video", "none", "--audio", "none"],
            Environment(error, notify),
            CancellationToken.None).WaitAsync(s_timeout);

        Assert.Equal(1, exitCode);
        Assert.Equal($"edgertmp: cannot listen on 127.0.0.1:{port}: the address is already in use (is another edgertmp or RTMP server running?)" + System.Environment.NewLine, error.ToString());
        Assert.Equal("STOPPING=1", await notify.ReceiveAsync(s_timeout));
    }

    [Fact]
    public async Task Environment_configuration_reaches_the_server()
    {
        using var notify = new NotifySocket();
        using var stop = new CancellationTokenSource();
        var environment = Environment(
            new StringWriter(), notify, ("EDGERTMP__Server__Listen", "127.0.0.1:0"), ("EDGERTMP__Server__App", "door"), ("EDGERTMP__Server__Stream", "front"));

        var run = CommandLine.InvokeAsync(["run", "--video", "none", "--audio", "none"], environment, stop.Token);

        Assert.Matches(@"^STATUS=serving rtmp://127\.0\.0\.1:\d+/door/front, 0 viewers$", await notify.ReceiveAsync(s_timeout));
        Assert.Equal("READY=1", await notify.ReceiveAsync(s_timeout));
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task A_bad_environment_value_exits_2_before_anything_starts()
    {
        using var notify = new NotifySocket();
        var error = new StringWriter();

        var exitCode = await CommandLine.InvokeAsync(
            ["run"], Environment(error, notify, ("EDGERTMP__Video__Fps", "500")), CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Equal("edgertmp: configuration error: Video:Fps = 500: must be 1 to 120" + System.Environment.NewLine, error.ToString());
        Assert.True(notify.IsQuietFor(TimeSpan.FromMilliseconds(200)));
    }
}
