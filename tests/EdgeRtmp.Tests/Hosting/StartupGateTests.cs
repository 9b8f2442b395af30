using EdgeRtmp.Configuration;
using EdgeRtmp.Hosting;

namespace EdgeRtmp.Tests.Hosting;

/// <summary>STATUS= goes out only once the host is let through, and a line is never sent twice in a row.</summary>
public class StartupGateTests
{
    [Fact]
    public async Task A_source_failing_at_start_sends_its_line_once_however_the_refresh_and_the_start_interleave()
    {
        // The pipeline's handler for a failed source lets the host through, then asks for a refresh; on a loaded
        // machine the host's start can come in between, so the refresh finds the gate open with the line just sent.
        var notifier = new RecordingNotifier();
        var gate = new StartupGate(notifier, Defaults());
        string line = "serving rtmp://127.0.0.1:1935/live/cam (source failed, retrying: no camera), 0 viewers";
        gate.ServerListening(() => line);

        gate.SourceFailed();
        await gate.StartedAsync(CancellationToken.None);
        gate.RefreshStatus();

        Assert.Equal([line], notifier.Lines);
        Assert.True(gate.IsReady);
    }

    [Fact]
    public async Task Nothing_is_sent_before_the_start_and_every_change_after_it_is()
    {
        var notifier = new RecordingNotifier();
        var gate = new StartupGate(notifier, Defaults());
        int viewers = 0;
        gate.ServerListening(() => $"serving, {viewers} viewers");
        gate.Status("serving, 7 viewers");
        gate.RefreshStatus();
        Assert.Empty(notifier.Lines);

        gate.SourceProducing();
        await gate.StartedAsync(CancellationToken.None);
        viewers = 1;
        gate.RefreshStatus();
        gate.Status("serving, 1 viewers");
        gate.StatusSuffix = () => "recording";
        gate.RefreshStatus();
        viewers = 0;
        gate.Status("serving, 0 viewers");

        Assert.Equal(["serving, 0 viewers", "serving, 1 viewers", "serving, 1 viewers, recording", "serving, 0 viewers, recording"], notifier.Lines);
    }

    private static AppSettings Defaults() => OptionsValidator.Validate(new EdgeRtmpOptions());

    private sealed class RecordingNotifier : IServiceNotifier
    {
        public List<string> Lines { get; } = [];

        public TimeSpan? WatchdogInterval => null;

        public void Status(string status) => Lines.Add(status);

        public void Watchdog()
        {
        }
    }
}
