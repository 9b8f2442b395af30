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

    public bool IsHealthy => _healthy;

    public string? StartFailure => _startFailure;

    public void Set(bool healthy) => _healthy = healthy;

    public void FailStart(string reason)
    {
        _healthy = false;
        _startFailure = reason;
    }
}
