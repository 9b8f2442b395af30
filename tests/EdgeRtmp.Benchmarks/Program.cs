using BenchmarkDotNet.Running;
using EdgeRtmp.Benchmarks;

// Run with: dotnet run -c Release --project tests/EdgeRtmp.Benchmarks -- --filter '*'
// The key compare's interleaved timing harness: ... -- key-timing (see KeyTiming).
if (args.Length > 0 && args[0] == "key-timing")
{
    return KeyTiming.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
