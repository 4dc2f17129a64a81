using BenchmarkDotNet.Attributes;

namespace Cardinal.Bench;

/// <summary>The FMA peak as a BenchmarkDotNet suite, so the GEMM and model suites have their denominator in the same run.</summary>
public class FmaPeakBenchmarks
{
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Reports GFLOP/s as the benchmark's result; the time is fixed by design (~300 ms).</summary>
    [Benchmark]
    public double PeakGflops() => FmaPeak.Measure(Threads);
}
