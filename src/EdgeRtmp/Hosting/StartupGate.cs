using EdgeRtmp.Configuration;
using Microsoft.Extensions.Hosting;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Holds the host's start until the server listens and, when a video source is configured, the source has produced
/// its first frame or has failed (a camera not plugged in: the box is up and serving, and says in STATUS= that its
/// source is failing). The systemd package sends READY=1 when the host has started (ApplicationStarted), which comes
/// after every hosted service's <see cref="StartedAsync"/>: waiting here is what puts READY after the first frame.
/// Then the first STATUS line; later STATUS lines go through here too, so none is sent before the host has started,
/// and none twice in a row (a source failing at start both lets the host through and asks for a refresh: the same line).
/// Registered as the last hosted service.
/// </summary>
public sealed class StartupGate : IHostedLifecycleService
{
    private readonly Lock _gate = new();
    private readonly IServiceNotifier _notifier;
    private readonly TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _listening;
    private bool _sourceSettled;
    private bool _ready;
    private Func<string>? _statusLine;
    private string? _sent;

    public StartupGate(IServiceNotifier notifier, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(settings);
        _notifier = notifier;
        _sourceSettled = settings.Video.Kind == VideoSourceKind.None;
    }

    /// <summary>A phrase appended to every status line ("recording", "recording stopped: disk nearly full"); null for none.</summary>
    public Func<string?>? StatusSuffix { get; set; }

    /// <summary>The source for the status line ("testcard 640x360@30", "source failed, retrying: …"), read at each line; null without one.</summary>
    public Func<string>? SourceSummary { get; set; }

    /// <summary>True once the server listens and the source produces, and the host was let through.</summary>
    public bool IsReady
    {
        get
        {
            lock (_gate)
            {
                return _ready;
            }
        }
    }

    public void ServerListening(Func<string> statusLine)
    {
        lock (_gate)
        {
            _statusLine = statusLine;
            _listening = true;
            TryServe();
        }
    }

    public void SourceProducing()
    {
        lock (_gate)
        {
            _sourceSettled = true;
            TryServe();
        }
    }

    /// <summary>The source failed before making a frame: the box is up all the same (READY=1), its status line says so.</summary>
    public void SourceFailed() => SourceProducing();

    /// <summary>Sends STATUS once the host has started; before that <see cref="StartedAsync"/> sends the current line itself.</summary>
    public void Status(string status)
    {
        lock (_gate)
        {
            if (_ready)
            {
                Send(WithSuffix(status));
            }
        }
    }

    /// <summary>Sends the current status line again (a part of it other than the server's changed).</summary>
    public void RefreshStatus()
    {
        lock (_gate)
        {
            if (_ready && _statusLine is not null)
            {
                Send(WithSuffix(_statusLine()));
            }
        }
    }

    private void Send(string line)
    {
        if (line != _sent)
        {
            _sent = line;
            _notifier.Status(line);
        }
    }

    private string WithSuffix(string status) => StatusSuffix?.Invoke() is { Length: > 0 } suffix ? status + ", " + suffix : status;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The token is cancelled when the application stops while starting (a source that failed, SIGTERM).
            await _serving.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_gate)
        {
            _ready = true;
            Send(WithSuffix(_statusLine!()));
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void TryServe()
    {
        if (_listening && _sourceSettled)
        {
            _serving.TrySetResult();
        }
    }
}
