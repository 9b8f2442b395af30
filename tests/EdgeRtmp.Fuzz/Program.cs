using System.Globalization;
using EdgeRtmp.Fuzz;
using SharpFuzz;

// edgertmp-fuzz: coverage-guided fuzzing harnesses for every parser of outside input. See scripts/fuzz.sh.
const string Usage = """
usage: edgertmp-fuzz list
       edgertmp-fuzz afl TARGET                      run under afl-fuzz (instrumented assemblies; scripts/fuzz.sh)
       edgertmp-fuzz smoke TARGET SECONDS CORPUS [MAXEXECS] [SEED] [FINDINGS]   corpus + seeded mutations, no AFL
       edgertmp-fuzz run TARGET FILE...              replay inputs (a crash prints its exception)
       edgertmp-fuzz capture PORT HOST:PORT PREFIX   tee one RTMP session into PREFIX.c2s and PREFIX.s2c
       edgertmp-fuzz seeds PREFIX CORPUSROOT         cut a capture into seeds; 'seeds synthetic CORPUSROOT' for AMF3
""";

if (args.Length == 0)
{
    Console.Error.Write(Usage);
    return 2;
}

switch (args[0])
{
    case "list":
        foreach (Target target in Targets.All)
        {
            Console.WriteLine($"{target.Name,-18} {target.Description}");
        }

        return 0;
    case "afl" when args.Length == 2 && Targets.Find(args[1]) is { } target:
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Targets.RunOne(target, copy.GetBuffer().AsSpan(0, (int)copy.Length));
        });
        return 0;
    case "smoke" when args.Length >= 4 && Targets.Find(args[1]) is { } target:
        return Smoke.Run(
            target,
            args[3],
            TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)),
            args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) : long.MaxValue,
            args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 1,
            args.Length > 6 ? args[6] : Path.Combine(Path.GetTempPath(), "edgertmp-fuzz-findings"));
    case "run" when args.Length >= 3 && Targets.Find(args[1]) is { } target:
        foreach (string file in args[2..])
        {
            Targets.RunOne(target, File.ReadAllBytes(file));
            Console.WriteLine($"{file}: ok");
        }

        return 0;
    case "capture" when args.Length == 4:
        return await Capture.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3], TimeSpan.FromMinutes(2));
    case "seeds" when args.Length == 3 && args[1] == "synthetic":
        return Seeds.Synthetic(args[2]);
    case "seeds" when args.Length == 3:
        return Seeds.FromCapture(args[1], args[2]);
    default:
        Console.Error.Write(Usage);
        return 2;
}
