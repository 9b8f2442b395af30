using EdgeRtmp.Net.Client;
using EdgeRtmp.Pipeline;

namespace EdgeRtmp.Panel;

/// <summary>The LEDs a panel drives.</summary>
public enum PanelLed : byte
{
    Status,
    Error,
    Viewer,
}

public sealed record PanelOptions(int UpstreamCount, bool UpstreamWanted, TimeSpan LongPress, TimeSpan Debounce);

/// <summary>
/// The panel: <see cref="PanelState"/> behind a lock, one <see cref="LedBlinker"/> per LED and the live and record
/// buttons. Pipeline facts come in through the Set methods (from any thread), button edges through
/// <see cref="LiveButtonEdge"/>/<see cref="RecordButtonEdge"/>; what the owner asked for goes out through the events,
/// raised outside the lock. Knows nothing of GPIO: <see cref="GpioPanel"/> connects it to lines.
/// </summary>
public sealed class BoxPanel : IDisposable
{
    private readonly Lock _gate = new();
    private readonly PanelState _state;
    private readonly LedBlinker _status;
    private readonly LedBlinker _error;
    private readonly LedBlinker _viewer;
    private readonly PanelButton _liveButton;
    private readonly PanelButton _recordButton;

    /// <param name="writeLed">Sets one LED; called with a cached delegate, never allocating.</param>
    public BoxPanel(PanelOptions options, Action<PanelLed, bool> writeLed, TimeProvider time, Func<bool>? readLiveButton = null, Func<bool>? readRecordButton = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(writeLed);
        _state = new PanelState(options.UpstreamCount, options.UpstreamWanted);
        _status = new LedBlinker(lit => writeLed(PanelLed.Status, lit), time);
        _error = new LedBlinker(lit => writeLed(PanelLed.Error, lit), time);
        _viewer = new LedBlinker(lit => writeLed(PanelLed.Viewer, lit), time);
        _liveButton = new PanelButton(time, options.LongPress, options.Debounce, readLiveButton);
        _recordButton = new PanelButton(time, options.LongPress, options.Debounce, readRecordButton);
        _liveButton.ShortPress += OnLiveShortPress;
        _liveButton.LongPress += () => RestartRequested?.Invoke();
        _recordButton.ShortPress += () => RecordToggleRequested?.Invoke();
        Show();
    }

    /// <summary>The live button asked to push upstream (true) or to stop pushing (false).</summary>
    public event Action<bool>? UpstreamWantedChanged;

    /// <summary>The live button was held: restart the pipeline.</summary>
    public event Action? RestartRequested;

    /// <summary>The record button was pressed: toggle recording.</summary>
    public event Action? RecordToggleRequested;

    public PanelLeds Leds
    {
        get
        {
            lock (_gate)
            {
                return _state.Leds;
            }
        }
    }

    public bool UpstreamWanted
    {
        get
        {
            lock (_gate)
            {
                return _state.UpstreamWanted;
            }
        }
    }

    public void SetSource(SourceCondition condition)
    {
        lock (_gate)
        {
            if (_state.SetSource(condition))
            {
                Show();
            }
        }
    }

    public void SetUpstream(int index, PublisherStateKind kind)
    {
        lock (_gate)
        {
            if (_state.SetUpstream(index, kind))
            {
                Show();
            }
        }
    }

    public void SetViewers(int viewers)
    {
        lock (_gate)
        {
            if (_state.SetViewers(viewers))
            {
                Show();
            }
        }
    }

    public void SetRecordingFault(bool fault)
    {
        lock (_gate)
        {
            if (_state.SetRecordingFault(fault))
            {
                Show();
            }
        }
    }

    /// <summary>The live button's level changed (true: pressed).</summary>
    public void LiveButtonEdge(bool pressed) => _liveButton.OnEdge(pressed);

    public void RecordButtonEdge(bool pressed) => _recordButton.OnEdge(pressed);

    public void Dispose()
    {
        _liveButton.Dispose();
        _recordButton.Dispose();
        _status.Dispose();
        _error.Dispose();
        _viewer.Dispose();
    }

    private void OnLiveShortPress()
    {
        bool wanted;
        lock (_gate)
        {
            wanted = !_state.UpstreamWanted;
            if (_state.SetUpstreamWanted(wanted))
            {
                Show();
            }
        }

        UpstreamWantedChanged?.Invoke(wanted);
    }

    private void Show()
    {
        PanelLeds leds = _state.Leds;
        _status.Set(leds.Status);
        _error.Set(leds.Error);
        _viewer.Set(leds.Viewer);
    }
}
