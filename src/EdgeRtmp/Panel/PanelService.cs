using EdgeRtmp.Configuration;
using EdgeRtmp.Devices;
using EdgeRtmp.Hosting;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Recording;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Panel;

/// <summary>
/// Connects the <see cref="GpioPanel"/> to the running box: upstream states from <see cref="PushService"/>, the
/// source from the <see cref="MediaPipeline"/> (from the stream's hub when an external publisher feeds it), viewers
/// from the hub, the recorder's fault; the live button to going live, its long press to
/// a restart, the record button to the recorder. Without <c>Gpio</c> lines it does nothing; when the chip or a line
/// cannot be had (another process holds it), it logs why and the box streams without a panel.
/// </summary>
public sealed class PanelService : IHostedService, IDisposable
{
    private readonly AppSettings _settings;
    private readonly StreamRegistry _streams;
    private readonly PushService _push;
    private readonly RecorderService _recorder;
    private readonly Func<MediaPipeline?>? _pipeline;
    private readonly ILogger _logger;
    private GpioPanel? _gpio;
    private PipelineSourceFeed? _sourceFeed;
    private StreamHub? _hub;
    private bool _published;

    /// <param name="pipeline">
    /// The running pipeline, read at start (it is made before the panel starts); null or returning null without one
    /// (an external publisher feeds the stream; then a long press only reconnects upstream).
    /// </param>
    public PanelService(AppSettings settings, StreamRegistry streams, PushService push, RecorderService recorder, ILoggerFactory loggerFactory, Func<MediaPipeline?>? pipeline = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(push);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _settings = settings;
        _streams = streams;
        _push = push;
        _recorder = recorder;
        _pipeline = pipeline;
        _logger = loggerFactory.CreateLogger("EdgeRtmp.Panel");

        // The live button decides when the box goes live: it starts idle (pushing after a power cut is a surprise).
        if (!string.IsNullOrWhiteSpace(settings.Options.Gpio.LiveButton))
        {
            push.StartIdle();
        }
    }

    public BoxPanel? Panel => _gpio?.Panel;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        GpioOptions gpio = _settings.Options.Gpio;
        var options = new PanelOptions(_push.TargetCount, _push.Live, TimeSpan.FromMilliseconds(gpio.LongPressMs), TimeSpan.FromMilliseconds(GpioPanel.DebounceMs));
        try
        {
            _gpio = GpioPanel.Open(gpio, options, TimeProvider.System);
        }
        catch (Exception e) when (e is DeviceException or IOException or InvalidOperationException or PlatformNotSupportedException or DllNotFoundException)
        {
            // libgpiod missing or the wrong major version, a chip or line missing, a line held by another process.
            PanelLog.Unavailable(_logger, e.Message);
            return Task.CompletedTask;
        }

        if (_gpio is null)
        {
            return Task.CompletedTask;
        }

        PanelLog.Opened(_logger, gpio.Chip, gpio.Driver, Describe(gpio));
        _gpio.CallbackFailed += e => PanelLog.Failed(_logger, "a button handler failed: " + e.Message);
        BoxPanel panel = _gpio.Panel;
        panel.UpstreamWantedChanged += OnUpstreamWanted;
        panel.RestartRequested += OnRestart;
        panel.RecordToggleRequested += OnRecordToggle;
        _push.TargetStateChanged += OnTargetState;
        _recorder.Changed += OnRecorderChanged;
        if (_pipeline?.Invoke() is { } pipeline)
        {
            _sourceFeed = new PipelineSourceFeed(pipeline, panel);
        }

        _hub = _streams.Acquire(_settings.App + "/" + _settings.Stream);
        _hub.Changed += OnHubChanged;
        OnHubChanged(_hub);
        OnRecorderChanged();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_hub is not null)
        {
            _hub.Changed -= OnHubChanged;
            _streams.Release(_hub);
            _hub = null;
        }

        _push.TargetStateChanged -= OnTargetState;
        _recorder.Changed -= OnRecorderChanged;
        _sourceFeed?.Dispose();
        _sourceFeed = null;
        _gpio?.Dispose();
        _gpio = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _gpio?.Dispose();

    private static string Describe(GpioOptions gpio) => string.Join(", ", new[]
    {
        ("status LED", gpio.StatusLed), ("error LED", gpio.ErrorLed), ("viewer LED", gpio.ViewerLed),
        ("live button", gpio.LiveButton), ("record button", gpio.RecordButton),
    }.Where(entry => entry.Item2.Length > 0).Select(entry => $"{entry.Item1} {entry.Item2}"));

    private void OnTargetState(int index, Net.Client.PublisherState state) => Panel?.SetUpstream(index, state.Kind);

    /// <summary>
    /// The hub tells when publishing starts or stops and when subscribers come and go. Without a pipeline (an external
    /// publisher feeds the stream) the source counts as failed when it stopped publishing after it had published.
    /// Viewers are the hub's subscribers less our own (upstream publishers, the recorder while it records).
    /// </summary>
    private void OnHubChanged(StreamHub hub)
    {
        if (Panel is not { } panel)
        {
            return;
        }

        if (_sourceFeed is null)
        {
            bool publishing = hub.IsPublishing;
            _published |= publishing;
            panel.SetSource(publishing ? SourceCondition.Producing : _published ? SourceCondition.Failed : SourceCondition.Starting);
        }

        int own = _push.Publishers.Count + (_recorder.Recorder?.IsSubscribed == true ? 1 : 0);
        panel.SetViewers(Math.Max(0, hub.SubscriberCount - own));
    }

    private void OnRecorderChanged()
    {
        Panel?.SetRecordingFault(_recorder.Recorder?.Faulted ?? false);

        // Switched on or off, the recorder joined or left the hub: the viewer count is figured again without it.
        if (_hub is { } hub)
        {
            OnHubChanged(hub);
        }
    }

    private void OnUpstreamWanted(bool live)
    {
        PanelLog.LiveButton(_logger, live ? "going live upstream" : "stopping the upstream push");
        Observe(_push.SetLiveAsync(live));
    }

    private void OnRestart()
    {
        PanelLog.Restart(_logger);
        _pipeline?.Invoke()?.Restart();
        Observe(_push.ReconnectAsync());
    }

    private void OnRecordToggle()
    {
        if (_recorder.Recorder is null)
        {
            return;
        }

        _recorder.Toggle();
        PanelLog.RecordButton(_logger, _recorder.Recorder.Enabled ? "on" : "off");
    }

    private void Observe(Task task) => task.ContinueWith(
        static (t, state) => PanelLog.Failed((ILogger)state!, t.Exception!.GetBaseException().Message),
        _logger,
        CancellationToken.None,
        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
        TaskScheduler.Default);
}
