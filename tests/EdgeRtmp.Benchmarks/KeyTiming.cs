using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Net.Server;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// A bounded timing harness for the key compare (issue 15), for a loaded machine where BenchmarkDotNet's one case
/// after another mostly measures how the load changed between cases: every round times each guess in a shuffled
/// order, back to back, and the figure that matters is the paired difference within a round (last byte differs
/// minus first byte differs), whose median cancels the load's drift. The naive early-exit loop is measured the same
/// way, to show that a leak of that size would be seen.
/// Run: dotnet run -c Release --project tests/EdgeRtmp.Benchmarks -- key-timing [ROUNDS=2000] [CALLS=200] [SECONDS=120]
/// </summary>
internal static class KeyTiming
{
    /// <summary>A 32-character key: 16 random bytes in hex (KeyCompareBenchmarks uses it too).</summary>
    internal const string Key = "9f86d081884c7d659a2feaa0c55ad015";

    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
        int calls = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
        var limit = TimeSpan.FromSeconds(args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 120);
        (string Name, string Guess)[] guesses =
        [
            ("first byte differs", "0" + Key[1..]),
            ("last byte differs", Key[..^1] + "0"),
            ("equal", new string(Key.AsSpan())),
        ];
        (string Name, Func<string, bool> Compare)[] comparers =
        [
            ("server (SHA-256 + FixedTimeEquals)", guess => RtmpServerSession.KeyMatches(guess, Key)),
            ("naive early exit", Naive),
        ];

        foreach ((string name, Func<string, bool> compare) in comparers)
        {
            var perCase = guesses.Select(_ => new List<double>()).ToArray();
            var random = new Random(4711);
            int[] order = [0, 1, 2];
            var clock = Stopwatch.StartNew();
            bool sink = false;
            for (int warm = 0; warm < 20_000; warm++)
            {
                sink ^= compare(guesses[warm % guesses.Length].Guess);
            }

            int round = 0;
            for (; round < rounds && clock.Elapsed < limit; round++)
            {
                random.Shuffle(order);
                foreach (int i in order)
                {
                    string guess = guesses[i].Guess;
                    long start = Stopwatch.GetTimestamp();
                    for (int c = 0; c < calls; c++)
                    {
                        sink ^= compare(guess);
                    }

                    perCase[i].Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls);
                }
            }

            GC.KeepAlive(sink);
            Console.WriteLine($"{name}: {round} rounds of {calls} calls per guess");
            for (int i = 0; i < guesses.Length; i++)
            {
                double[] sorted = [.. perCase[i].Order()];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {guesses[i].Name,-20} median {Quantile(sorted, 0.5),8:0.0} ns, min {sorted[0],8:0.0} ns, quartiles {Quantile(sorted, 0.25):0.0}..{Quantile(sorted, 0.75):0.0} ns"));
            }

            double[] difference = [.. perCase[1].Zip(perCase[0], (last, first) => last - first).Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  last minus first, paired by round: median {Quantile(difference, 0.5):+0.0;-0.0} ns, quartiles {Quantile(difference, 0.25):+0.0;-0.0}..{Quantile(difference, 0.75):+0.0;-0.0} ns"));
        }

        return 0;
    }

    /// <summary>The naive early-exit compare: the leak the server's hashing prevents, the size of difference a run must see.</summary>
    internal static bool Naive(string guess)
    {
        if (guess.Length != Key.Length)
        {
            return false;
        }

        for (int i = 0; i < guess.Length; i++)
        {
            if (guess[i] != Key[i])
            {
                return false;
            }
        }

        return true;
    }

    private static double Quantile(double[] sorted, double q) => sorted[(int)Math.Round(q * (sorted.Length - 1))];
}
