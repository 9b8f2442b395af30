using EdgeRtmp.Configuration;
using EdgeRtmp.Hosting;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Recording;

/// <summary>
/// Runs the <see cref="Recorder"/> on the box's stream when <c>Record:Directory</c> is set; its phrase joins the
/// systemd STATUS line. With nothing configured it does nothing.
/// </summary>
public sealed class RecorderService : IHostedService, IDisposable
{
    private readonly AppSettings _settings;
    private readonly StreamRegistry _streams;
    private readonly StartupGate _startup;
    private readonly ILogger _logger;
    private StreamHub? _hub;

    public RecorderService(AppSettings settings, StreamRegistry streams, StartupGate startup, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _settings = settings;
        _streams = streams;
        _startup = startup;
        _logger = loggerFactory.CreateLogger("EdgeRtmp.Recording");
    }

    /// <summary>The recorder, once started; null when recording is not configured.</summary>
    public Recorder? Recorder { get; private set; }

    /// <summary>Raised when the recorder's fault or on/off state changes (the panel's error LED, the status line).</summary>
    public event Action? Changed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        RecordOptions record = _settings.Options.Record;
        if (record.Directory.Length == 0)
        {
            return Task.CompletedTask;
        }

        var recorder = new Recorder(
            new RecorderOptions(record.Directory, TimeSpan.FromSeconds(record.SegmentSeconds), record.MaxBytes, record.MinFreeBytes, record.Enabled),
            TimeProvider.System,
            _logger);
        recorder.FaultChanged += _ => OnChanged();
        Recorder = recorder;
        _startup.StatusSuffix = () => Recorder?.Status;
        _hub = _streams.Acquire(_settings.App + "/" + _settings.Stream);
        recorder.Attach(_hub);
        return Task.CompletedTask;
    }

    public void Toggle()
    {
        if (Recorder is { } recorder)
        {
            recorder.Toggle();
            OnChanged();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_hub is not null && Recorder is not null)
        {
            Recorder.Detach();
            _streams.Release(_hub);
            _hub = null;
        }

        Recorder?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => Recorder?.Dispose();

    private void OnChanged()
    {
        _startup.RefreshStatus();
        Changed?.Invoke();
    }
}
