using EdgeRtmp.Net.Client;
using EdgeRtmp.Pipeline;

namespace EdgeRtmp.Panel;

/// <summary>What an LED shows (shared/DESIGN.md, "Panel: LEDs and buttons").</summary>
public enum LedPattern : byte
{
    Off,
    On,

    /// <summary>1 Hz: running, not live.</summary>
    SlowBlink,

    /// <summary>4 Hz: connecting or reconnecting upstream.</summary>
    FastBlink,
}

/// <summary>The three LEDs' patterns.</summary>
public readonly record struct PanelLeds(LedPattern Status, LedPattern Error, LedPattern Viewer);

/// <summary>
/// The panel as a pure state machine: pipeline facts in, LED patterns out; no clock, no I/O, no threads (callers
/// serialize). The table it implements:
/// <list type="bullet">
/// <item>Status: with upstreams wanted, solid when every one is live and the source has not failed, fast blink while
/// any is connecting, retrying, refused or waiting for the source (or the source has failed); with upstreams not wanted (idle), slow blink; with no upstream configured, solid while the source produces
/// frames, slow blink otherwise.</item>
/// <item>Error: on while the source has failed, an upstream we want refuses us, or the recorder stopped on the disk floor.</item>
/// <item>Viewer: on while at least one local player watches.</item>
/// </list>
/// </summary>
public sealed class PanelState
{
    private readonly PublisherStateKind[] _upstreams;
    private SourceCondition _source;
    private int _viewers;
    private bool _recordingFault;

    public PanelState(int upstreamCount, bool upstreamWanted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(upstreamCount);
        _upstreams = new PublisherStateKind[upstreamCount];
        Array.Fill(_upstreams, PublisherStateKind.Stopped);
        UpstreamWanted = upstreamWanted;
        Leds = Compute();
    }

    /// <summary>Whether the owner wants the stream pushed upstream (the live button's toggle).</summary>
    public bool UpstreamWanted { get; private set; }

    public PanelLeds Leds { get; private set; }

    public int UpstreamCount => _upstreams.Length;

    /// <summary>Each setter returns true when an LED pattern changed.</summary>
    public bool SetSource(SourceCondition condition)
    {
        _source = condition;
        return Update();
    }

    public bool SetUpstream(int index, PublisherStateKind kind)
    {
        if ((uint)index >= (uint)_upstreams.Length)
        {
            return false;
        }

        _upstreams[index] = kind;
        return Update();
    }

    public bool SetUpstreamWanted(bool wanted)
    {
        UpstreamWanted = wanted;
        return Update();
    }

    public bool SetViewers(int viewers)
    {
        _viewers = viewers;
        return Update();
    }

    public bool SetRecordingFault(bool fault)
    {
        _recordingFault = fault;
        return Update();
    }

    private bool Update()
    {
        PanelLeds next = Compute();
        bool changed = next != Leds;
        Leds = next;
        return changed;
    }

    private PanelLeds Compute()
    {
        bool refused = false;
        bool allLive = true;
        foreach (PublisherStateKind kind in _upstreams)
        {
            refused |= kind == PublisherStateKind.Refused;
            allLive &= kind == PublisherStateKind.Live;
        }

        LedPattern status;
        if (_upstreams.Length == 0)
        {
            status = _source == SourceCondition.Producing ? LedPattern.On : LedPattern.SlowBlink;
        }
        else if (!UpstreamWanted)
        {
            status = LedPattern.SlowBlink;
        }
        else
        {
            // Live means media reaches the upstream: an upstream still connected while the source has failed is not.
            status = allLive && _source != SourceCondition.Failed ? LedPattern.On : LedPattern.FastBlink;
        }

        bool error = _source == SourceCondition.Failed || (UpstreamWanted && refused) || _recordingFault;
        return new PanelLeds(status, error ? LedPattern.On : LedPattern.Off, _viewers > 0 ? LedPattern.On : LedPattern.Off);
    }
}
