namespace EdgeRtmp.Net.Tests;

/// <summary>
/// Tests that count bytes with GC.GetTotalAllocatedBytes (process-wide) and the networked tests that would
/// pollute the count run alone, not in parallel with other test classes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation counting";
}
