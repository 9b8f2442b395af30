namespace EdgeRtmp.TestSupport;

/// <summary>Steady-state allocation counted the way every allocation test here counts it.</summary>
public static class Allocations
{
    /// <summary>
    /// Bytes this thread allocates in one run of <paramref name="window"/>, the least of <paramref name="windows"/>
    /// runs: a one-off of the runtime's (a method compiled late on a loaded machine, a lock inflated on its first
    /// contention) lands in one window, an allocation per frame in every one.
    /// </summary>
    public static long LeastOf(int windows, Action window)
    {
        long least = long.MaxValue;
        for (int i = 0; i < windows; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            window();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
