namespace EdgeRtmp.Hosting;

/// <summary>
/// Whether the service is doing its job (the watchdog pings systemd only while it is), and why it could not
/// start, if it could not: a failed start stops the host quietly and <c>run</c> prints this and exits 1,
/// instead of the host logging a stack trace for an ordinary "port in use".
/// </summary>
public sealed class ServiceHealth
{
    private volatile bool _healthy;
    private volatile string? _startFailure;
    private readonly Lock _probesGate = new();
    private volatile Func<string?>[] _probes = [];

    /// <summary>The server serves and every probe (the video pipeline) is healthy.</summary>
    public bool IsHealthy => UnhealthyReason is null;

    /// <summary>Why the service is not healthy, or null when it is.</summary>
    public string? UnhealthyReason
    {
        get
        {
            if (!_healthy)
            {
                return _startFailure ?? "the RTMP server is not serving";
            }

            foreach (Func<string?> probe in _probes)
            {
                if (probe() is { } reason)
                {
                    return reason;
                }
            }

            return null;
        }
    }

    public string? StartFailure => _startFailure;

    public void Set(bool healthy) => _healthy = healthy;

    public void FailStart(string reason)
    {
        _healthy = false;
        _startFailure = reason;
    }

    /// <summary>Adds a part whose health counts: <paramref name="unhealthyReason"/> returns why it is not healthy, or null.</summary>
    public void AddProbe(Func<string?> unhealthyReason)
    {
        ArgumentNullException.ThrowIfNull(unhealthyReason);
        lock (_probesGate)
        {
            _probes = [.. _probes, unhealthyReason];
        }
    }
}
