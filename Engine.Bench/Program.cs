using BenchmarkDotNet.Running;

// dotnet run -c Release --project Engine.Bench -- --filter '*'   (BenchmarkDotNet's own options apply)
BenchmarkSwitcher.FromAssembly(typeof(Cardinal.Bench.SgemmBenchmarks).Assembly).Run(args);
