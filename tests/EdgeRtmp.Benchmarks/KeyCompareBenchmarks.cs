using BenchmarkDotNet.Attributes;
using EdgeRtmp.Net.Server;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// Does the publish/play key check take the same time wherever a guess differs from the key (issue 15)? The server's
/// own <c>RtmpServerSession.KeyMatches</c> (SHA-256 of both, then FixedTimeEquals) against guesses of the key's
/// length that differ at the first byte, at the last byte, and one that matches; a shorter and a much longer guess
/// show what the guess's own length costs (its hashing: the attacker's own input, not a secret). The naive early-exit
/// loop beside it is the leak the hashing prevents, and shows that these runs can see a difference of that size.
/// Run: dotnet run -c Release --project tests/EdgeRtmp.Benchmarks -- --filter '*KeyCompare*' --inProcess --warmupCount 5 --iterationCount 30
/// </summary>
public class KeyCompareBenchmarks
{
    private const string Key = KeyTiming.Key;

    [Params("first byte differs", "last byte differs", "equal", "shorter (8)", "longer (200)")]
    public string Guess { get; set; } = "";

    private string _presented = "";

    [GlobalSetup]
    public void Setup() => _presented = Guess switch
    {
        "first byte differs" => "0" + Key[1..],
        "last byte differs" => Key[..^1] + "0",
        "equal" => new string(Key.AsSpan()),
        "shorter (8)" => Key[..8],
        "longer (200)" => new string('a', 200),
        _ => throw new InvalidOperationException(Guess),
    };

    [Benchmark(Baseline = true)]
    public bool Server() => RtmpServerSession.KeyMatches(_presented, Key);

    [Benchmark]
    public bool NaiveEarlyExit() => KeyTiming.Naive(_presented);
}
