using EdgeRtmp.Hosting;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeRtmp.Tests.Hosting;

/// <summary>STATUS and WATCHDOG through the systemd package's <see cref="ISystemdNotifier"/>.</summary>
public class ServiceNotifierTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private static Dictionary<string, string?> Env(params (string Name, string? Value)[] variables) =>
        variables.ToDictionary(variable => variable.Name, variable => variable.Value);

    [Fact]
    public async Task Status_and_watchdog_go_out_as_given_one_datagram_each()
    {
        using var socket = new NotifySocket();
        var notifier = new ServiceNotifier(socket.Notifier, Env(("WATCHDOG_USEC", "2000000")), Environment.ProcessId);

        notifier.Status("serving rtmp://10.0.0.2:1935/live/cam, 0 viewers");
        notifier.Watchdog();

        Assert.Equal("STATUS=serving rtmp://10.0.0.2:1935/live/cam, 0 viewers", await socket.ReceiveAsync(s_timeout));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(s_timeout));
        Assert.Equal(TimeSpan.FromSeconds(1), notifier.WatchdogInterval);
    }

    [Fact]
    public async Task Status_stays_on_one_line()
    {
        using var socket = new NotifySocket();
        var notifier = new ServiceNotifier(socket.Notifier, Env(), Environment.ProcessId);

        notifier.Status("two\nlines");

        Assert.Equal("STATUS=two lines", await socket.ReceiveAsync(s_timeout));
    }

    [Fact]
    public void Outside_systemd_nothing_is_sent_and_no_watchdog_is_armed()
    {
        var disabled = new RecordingNotifier(enabled: false);

        foreach (var systemd in new ISystemdNotifier?[] { null, disabled })
        {
            var notifier = new ServiceNotifier(systemd, Env(("WATCHDOG_USEC", "30000000")), Environment.ProcessId);
            notifier.Status("x");
            notifier.Watchdog();
            Assert.Null(notifier.WatchdogInterval);
        }

        Assert.Empty(disabled.States);
    }

    [Theory]
    [InlineData("30000000", null, 15.0)]
    [InlineData("30000000", "4242", 15.0)]
    [InlineData("1000000", "", 0.5)]
    public void Watchdog_interval_is_half_of_WATCHDOG_USEC_when_the_pid_is_ours_or_unset(string usec, string? pid, double seconds)
    {
        var interval = ServiceNotifier.ReadWatchdogInterval(Env(("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)), 4242);

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
        Assert.Null(ServiceNotifier.ReadWatchdogInterval(Env(("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)), 4242));
    }

    private sealed class RecordingNotifier(bool enabled) : ISystemdNotifier
    {
        public List<string> States { get; } = [];

        public bool IsEnabled => enabled;

        public void Notify(ServiceState state) => States.Add(state.ToString());
    }
}
