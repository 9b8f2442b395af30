using EdgeRtmp.Configuration;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Sends READY=1 once the server listens and, when a video source is configured, the source has produced its first
/// frame; then the first STATUS line. Later STATUS lines go through here too, so none precedes READY.
/// </summary>
public sealed class StartupGate
{
    private readonly Lock _gate = new();
    private readonly IServiceNotifier _notifier;
    private bool _listening;
    private bool _sourceProducing;
    private bool _ready;
    private Func<string>? _statusLine;

    public StartupGate(IServiceNotifier notifier, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(settings);
        _notifier = notifier;
        _sourceProducing = settings.Video.Kind == VideoSourceKind.None;
    }

    /// <summary>A phrase appended to every status line ("recording", "recording stopped: disk nearly full"); null for none.</summary>
    public Func<string?>? StatusSuffix { get; set; }

    /// <summary>The running source for the status line ("testcard 640x360@30"); null without one.</summary>
    public string? SourceDescription { get; set; }

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
            TryReady();
        }
    }

    public void SourceProducing()
    {
        lock (_gate)
        {
            _sourceProducing = true;
            TryReady();
        }
    }

    /// <summary>Sends STATUS if READY was sent; before that the READY path sends the current line itself.</summary>
    public void Status(string status)
    {
        lock (_gate)
        {
            if (_ready)
            {
                _notifier.Status(WithSuffix(status));
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
                _notifier.Status(WithSuffix(_statusLine()));
            }
        }
    }

    private string WithSuffix(string status) => StatusSuffix?.Invoke() is { Length: > 0 } suffix ? status + ", " + suffix : status;

    private void TryReady()
    {
        if (_ready || !_listening || !_sourceProducing)
        {
            return;
        }

        _ready = true;
        _notifier.Ready();
        _notifier.Status(WithSuffix(_statusLine!()));
    }
}
