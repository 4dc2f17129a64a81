using System.Diagnostics;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Bench;

/// <summary>
/// The blocked max pool alone on ResNet's stem output (64 channels at 112×112, 3×3 stride 2, pad 1), input warm in
/// cache, just written (dirty lines, as the stem leaves them) cold (a 64 MB sweep between runs) and with only the output cold (the sweep, then the input written): separates the kernel's own rate from the memory it waits on.
/// Usage: pool [--threads 1] [--runs 200]
/// </summary>
public static class PoolRunner
{
    public static int Run(string[] args)
    {
        int threads = CompareRunner.Option(args, "--threads", 1), runs = CompareRunner.Option(args, "--runs", 200);
        int block = CpuPlatform.Default.BlockSize;
        if (block <= 1) { Console.WriteLine("pool: this tier has no blocked layout."); return 0; }
        const int c = 64, h = 112, w = 112;
        var win = new Window3D(1, h, w, 1, 56, 56, 1, 3, 3, 1, 2, 2, 1, 1, 1, 0, 1, 1, 0, 1, 1);
        var x = new float[c * h * w];
        var random = new Random(3);
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        var y = new float[c * 56 * 56];
        var sweep = new float[16 << 20];
        using var parallel = new ParallelRunner(threads);
        for (int i = 0; i < 50; i++) BlockedPool.Max(x, y, 1, c, block, win, parallel);
        foreach (string mode in new[] { "warm", "written", "cold", "cold output" })
        {
            var ms = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                if (mode.StartsWith("cold", StringComparison.Ordinal)) for (int k = 0; k < sweep.Length; k += 16) sweep[k] += 1;
                if (mode is "written" or "cold output") for (int k = 0; k < x.Length; k += 16) x[k] += 0; // as a producer leaves it: dirty, in L2 and L3
                long t0 = Stopwatch.GetTimestamp();
                BlockedPool.Max(x, y, 1, c, block, win, parallel);
                ms.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            ms.Sort();
            double median = ms[ms.Count / 2];
            Console.WriteLine($"max pool 64×112×112 → 56×56, 3×3 s2 (NCHW{block}c), {threads} thread(s), {mode}: median {median:F3} ms, {x.Length * 4.0 / median / 1e6:F1} GB/s of input");
        }
        return 0;
    }
}
