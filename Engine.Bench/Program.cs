using BenchmarkDotNet.Running;
using Cardinal.Bench;

// dotnet run -c Release --project Engine.Bench -- --filter '*'              BenchmarkDotNet suites
// dotnet run -c Release --project Engine.Bench -- compare MODEL.onnx ...    quick side-by-side with ONNX Runtime
if (args.Length > 0 && args[0] == "compare") return CompareRunner.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(SgemmBenchmarks).Assembly).Run(args);
return 0;
