namespace EdgeRtmp.Net.Client;

/// <summary>
/// When to try an upstream again: 1 s, doubling to a 30 s cap, each delay scaled by a jitter factor in
/// [0.8, 1.2] (and never past the cap) so boxes that lost the same server do not come back in step.
/// A connection that stayed live for <see cref="ResetAfterLive"/> starts the schedule over. A refusal
/// (bad key, unknown app, TLS) waits at the cap every time: retrying sooner cannot fix it.
/// </summary>
public sealed class ReconnectBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ResetAfterLive = TimeSpan.FromSeconds(60);

    private const double JitterSpread = 0.2;
    private readonly Func<double> _jitter;
    private int _failures;

    /// <param name="jitter">Uniform in [0, 1); <see cref="Random.Shared"/> when null (tests pass a fixed source).</param>
    public ReconnectBackoff(Func<double>? jitter = null) => _jitter = jitter ?? Random.Shared.NextDouble;

    /// <summary>Consecutive failed attempts since the last reset.</summary>
    public int Failures => _failures;

    /// <summary>
    /// The wait after a failure. <paramref name="liveFor"/> is how long the connection that just ended was
    /// live (zero when it never got there); long enough, and the schedule restarts at 1 s.
    /// </summary>
    public TimeSpan NextDelay(TimeSpan liveFor)
    {
        if (liveFor >= ResetAfterLive)
        {
            _failures = 0;
        }

        double nominal = Math.Min(Cap.TotalSeconds, Initial.TotalSeconds * Math.Pow(2, Math.Min(_failures, 16)));
        _failures++;
        return Jittered(nominal);
    }

    /// <summary>The wait after a refusal: the cap, jittered downwards only.</summary>
    public TimeSpan RefusalDelay()
    {
        _failures++;
        return Jittered(Cap.TotalSeconds);
    }

    private TimeSpan Jittered(double nominalSeconds)
    {
        double factor = 1 - JitterSpread + 2 * JitterSpread * Math.Clamp(_jitter(), 0, 1);
        return TimeSpan.FromSeconds(Math.Min(Cap.TotalSeconds, nominalSeconds * factor));
    }
}
