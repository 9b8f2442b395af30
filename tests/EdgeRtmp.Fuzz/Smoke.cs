using System.Diagnostics;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// The short bounded run CI does without AFL: every corpus file, then seeded random mutations of them (bit flips,
/// interesting values, inserts, deletes, duplications, splices) for a time or an iteration budget. Not coverage-guided;
/// it keeps the harnesses and the committed corpus honest on every build. A finding is written to a file and fails the run.
/// </summary>
internal static class Smoke
{
    private const int MaxInputLength = 64 * 1024;
    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x03, 0x7F, 0x80, 0xFE, 0xFF, 0x3F, 0x40, 0x11, 0x12];
    private static readonly TimeSpan SlowInput = TimeSpan.FromSeconds(2);

    public static int Run(Target target, string corpusDirectory, TimeSpan budget, long maxIterations, int seed, string findingsDirectory)
    {
        List<byte[]> corpus = Directory.Exists(corpusDirectory)
            ? [.. Directory.EnumerateFiles(corpusDirectory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)]
            : [];
        if (corpus.Count == 0)
        {
            corpus.Add([]);
        }

        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        long executions = 0;
        foreach (byte[] input in corpus)
        {
            if (!Execute(target, input, findingsDirectory))
            {
                return 1;
            }

            executions++;
        }

        while (clock.Elapsed < budget && executions < maxIterations)
        {
            byte[] input = Mutate(random, corpus);
            if (!Execute(target, input, findingsDirectory))
            {
                return 1;
            }

            executions++;
        }

        Console.WriteLine($"{target.Name}: {executions} executions in {clock.Elapsed.TotalSeconds:F1} s over {corpus.Count} corpus files, no finding");
        return 0;
    }

    private static bool Execute(Target target, byte[] input, string findingsDirectory)
    {
        long started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            Targets.RunOne(target, input);
        }
        catch (Exception error)
        {
            failure = error;
        }

        TimeSpan took = Stopwatch.GetElapsedTime(started);
        if (failure is null && took < SlowInput)
        {
            return true;
        }

        Directory.CreateDirectory(findingsDirectory);
        string file = Path.Combine(findingsDirectory, $"{target.Name}-{Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(input))[..12].ToLowerInvariant()}");
        File.WriteAllBytes(file, input);
        Console.Error.WriteLine(failure is null
            ? $"{target.Name}: one input took {took.TotalMilliseconds:F0} ms (hang?), saved as {file}"
            : $"{target.Name}: {failure.GetType().Name} on an input saved as {file}\n{failure}");
        Console.Error.WriteLine($"input ({input.Length} bytes): {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 256)))}");
        return false;
    }

    private static byte[] Mutate(Random random, List<byte[]> corpus)
    {
        var bytes = new List<byte>(corpus[random.Next(corpus.Count)]);
        int mutations = 1 + random.Next(8);
        for (int i = 0; i < mutations; i++)
        {
            int position = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[position] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[position] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2 when bytes.Count > 0:
                    bytes[position] = (byte)random.Next(256);
                    break;
                case 3:
                    int insert = 1 + random.Next(16);
                    for (int k = 0; k < insert; k++)
                    {
                        bytes.Insert(position, (byte)random.Next(256));
                    }

                    break;
                case 4 when bytes.Count > 0:
                    bytes.RemoveRange(position, Math.Min(bytes.Count - position, 1 + random.Next(32)));
                    break;
                case 5 when bytes.Count > 0:
                    int length = Math.Min(bytes.Count - position, 1 + random.Next(64));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(position, length));
                    break;
                case 6:
                    byte[] other = corpus[random.Next(corpus.Count)];
                    if (other.Length > 0)
                    {
                        int from = random.Next(other.Length);
                        int take = Math.Min(other.Length - from, 1 + random.Next(256));
                        bytes.InsertRange(position, other.AsSpan(from, take).ToArray());
                    }

                    break;
            }
        }

        if (bytes.Count > MaxInputLength)
        {
            bytes.RemoveRange(MaxInputLength, bytes.Count - MaxInputLength);
        }

        return [.. bytes];
    }
}
