using System.Runtime.ExceptionServices;

namespace EdgeRtmp.Net.Tests.TestSupport;

/// <summary>What the whole process allocates while some steady-state work runs (players and sockets included).</summary>
public static class ProcessAllocation
{
    /// <summary>
    /// Runs <paramref name="warmUp"/>, then <paramref name="windows"/> times <paramref name="window"/>, each after a full
    /// collection, on a thread of its own (blocking a pool thread would make the pool inject threads, and their
    /// allocations would be counted); returns the bytes allocated during each window. Whole-process counts also see
    /// what the test runner does meanwhile (reporting other tests uses reflection): the least window is the work's own.
    /// A failure of the work is rethrown.
    /// </summary>
    public static async Task<long[]> MeasureAsync(Action warmUp, Action window, int windows = 3)
    {
        long[] allocated = new long[windows];
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                warmUp();
                for (int i = 0; i < allocated.Length; i++)
                {
                    GC.Collect();
                    long before = GC.GetTotalAllocatedBytes(precise: true);
                    window();
                    allocated[i] = GC.GetTotalAllocatedBytes(precise: true) - before;
                }
            }
            catch (Exception error)
            {
                failure = ExceptionDispatchInfo.Capture(error);
            }
        });
        thread.Start();
        await Task.Run(thread.Join);
        failure?.Throw();
        return allocated;
    }
}
