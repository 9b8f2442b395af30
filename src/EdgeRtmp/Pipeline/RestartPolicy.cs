namespace EdgeRtmp.Pipeline;

/// <summary>
/// How long to wait before running a failed source again: <see cref="Initial"/>, doubling up to <see cref="Maximum"/>,
/// and back to <see cref="Initial"/> once a run lasted <see cref="ResetAfter"/> (it was working, then broke).
/// </summary>
public sealed record RestartPolicy(TimeSpan Initial, TimeSpan Maximum, TimeSpan ResetAfter)
{
    public static RestartPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));

    /// <param name="previousDelay">The delay before the run that just failed; zero for the first failure.</param>
    /// <param name="ranFor">How long that run lasted.</param>
    public TimeSpan NextDelay(TimeSpan previousDelay, TimeSpan ranFor)
    {
        if (previousDelay <= TimeSpan.Zero || ranFor >= ResetAfter)
        {
            return Initial;
        }

        var doubled = previousDelay * 2;
        return doubled > Maximum ? Maximum : doubled;
    }
}
