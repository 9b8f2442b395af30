using EdgeRtmp.Hosting;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Hosting;

public class SystemdNotifierTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private static Dictionary<string, string?> Env(params (string Name, string? Value)[] variables) =>
        variables.ToDictionary(variable => variable.Name, variable => variable.Value);

    [Fact]
    public async Task Sends_each_state_as_one_datagram_to_a_socket_path()
    {
        using var socket = new NotifySocket();
        using var notifier = new SystemdNotifier(Env(("NOTIFY_SOCKET", socket.Address)), Environment.ProcessId);

        Assert.True(notifier.IsEnabled);
        notifier.Ready();
        notifier.Status("serving rtmp://10.0.0.2:1935/live/cam, 0 viewers");
        notifier.Watchdog();
        notifier.Stopping();

        Assert.Equal("READY=1", await socket.ReceiveAsync(s_timeout));
        Assert.Equal("STATUS=serving rtmp://10.0.0.2:1935/live/cam, 0 viewers", await socket.ReceiveAsync(s_timeout));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(s_timeout));
        Assert.Equal("STOPPING=1", await socket.ReceiveAsync(s_timeout));
    }

    [Fact]
    public async Task Leading_at_sign_means_the_abstract_namespace()
    {
        using var socket = new NotifySocket(abstractName: "edgertmp-test-" + Guid.NewGuid().ToString("N"));
        using var notifier = new SystemdNotifier(Env(("NOTIFY_SOCKET", socket.Address)), Environment.ProcessId);

        notifier.Ready();

        Assert.Equal("READY=1", await socket.ReceiveAsync(s_timeout));
    }

    [Fact]
    public async Task Status_stays_on_one_line()
    {
        using var socket = new NotifySocket();
        using var notifier = new SystemdNotifier(Env(("NOTIFY_SOCKET", socket.Address)), Environment.ProcessId);

        notifier.Status("two\nlines");

        Assert.Equal("STATUS=two lines", await socket.ReceiveAsync(s_timeout));
    }

    [Fact]
    public void Without_NOTIFY_SOCKET_it_is_a_no_op()
    {
        using var notifier = new SystemdNotifier(Env(), Environment.ProcessId);

        Assert.False(notifier.IsEnabled);
        notifier.Ready();
        notifier.Status("x");
        notifier.Watchdog();
        notifier.Stopping();
    }

    [Fact]
    public void A_socket_nobody_listens_on_is_ignored()
    {
        using var directory = new TempDirectory();
        using var notifier = new SystemdNotifier(Env(("NOTIFY_SOCKET", directory.File("gone.sock"))), Environment.ProcessId);

        notifier.Ready();
    }

    [Theory]
    [InlineData("30000000", null, 15.0)]
    [InlineData("30000000", "4242", 15.0)]
    [InlineData("1000000", "", 0.5)]
    public void Watchdog_interval_is_half_of_WATCHDOG_USEC_when_the_pid_is_ours_or_unset(string usec, string? pid, double seconds)
    {
        var interval = SystemdNotifier.ReadWatchdogInterval(Env(("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)), 4242);

        Assert.Equal(TimeSpan.FromSeconds(seconds), interval);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("0", null)]
    [InlineData("abc", null)]
    [InlineData("30000000", "1")]
    [InlineData("30000000", "x")]
    public void No_watchdog_without_usec_or_for_another_pid(string? usec, string? pid)
    {
        Assert.Null(SystemdNotifier.ReadWatchdogInterval(Env(("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)), 4242));
    }
}
