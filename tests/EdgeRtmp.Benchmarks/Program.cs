using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project tests/EdgeRtmp.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
