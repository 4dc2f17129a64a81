using Cardinal.Kernels.Cpu;
using BenchmarkDotNet.Attributes;
using Cardinal.Kernels.Cpu.Gemm;

namespace Cardinal.Bench;

/// <summary>
/// The blocked Vector&lt;float&gt; SGEMM on ResNet-50 convolution shapes (M = output channels, K = input
/// channels × kernel area, N = output pixels at batch 1). GFLOP/s = 2·M·N·K / time.
/// </summary>
[MemoryDiagnoser]
public class SgemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params("64x3136x576", "256x3136x64", "128x784x1152", "512x49x4608", "1000x1x2048")]
    public string Shape { get; set; } = "";

    private (int M, int N, int K) Dims
    {
        get
        {
            int[] p = Shape.Split('x').Select(int.Parse).ToArray();
            return (p[0], p[1], p[2]);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var (m, n, k) = Dims;
        var random = new Random(1);
        _a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble()).ToArray();
        _b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble()).ToArray();
        _c = new float[m * n];
    }

    [Benchmark]
    public void Multiply()
    {
        var (m, n, k) = Dims;
        Sgemm.Multiply(m, n, k, _a, k, _b, n, _c, n, accumulate: false, null, CpuPlatform.Default);
    }
}
