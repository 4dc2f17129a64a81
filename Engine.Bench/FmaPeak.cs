using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cardinal.Bench;

/// <summary>
/// The machine's measured FMA peak: each thread runs twelve independent fused multiply-add chains on the
/// widest vectors the CPU has (enough chains to cover the FMA latency on two ports), so nothing but the
/// FMA units limits it. The denominator of every "% of peak" in the benchmarks.
/// </summary>
public static class FmaPeak
{
    public static string VectorWidth => Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? "512-bit"
        : Vector256.IsHardwareAccelerated ? "256-bit" : "128-bit";

    /// <summary>
    /// The host's FMA scaling now: the best of three 20 ms windows on <paramref name="threads"/> threads over the best of
    /// three on 1. This VM's vCPUs at times run as one core (1.00×); `ortscaling` reads it around its blocks, `convs`
    /// around its rows.
    /// </summary>
    public static double HostScaling(int threads)
    {
        double single = Enumerable.Range(0, 3).Max(_ => Measure(1, 20));
        return Enumerable.Range(0, 3).Max(_ => Measure(threads, 20)) / single;
    }

    /// <summary>The host scaling at or over which a block or a row counts as run on all its cores (`ortscaling --calm`'s default).</summary>
    public const double CalmScaling = 1.9;

    /// <summary>GFLOP/s (an FMA counts as 2) of <paramref name="threads"/> threads running together.</summary>
    public static double Measure(int threads, int milliseconds = 300)
    {
        const long chunk = 1 << 16;
        OneThread(chunk); // JIT and wake-up, off the clock
        var flops = new double[threads];
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            double done = 0;
            while (clock.ElapsedMilliseconds < milliseconds) done += OneThread(chunk);
            flops[t] = done;
        });
        return flops.Sum() / clock.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>
    /// The largest of <paramref name="samples"/> short measurements. On a shared machine a neighbour takes the
    /// core for part of any long window (one 0.2–1 s measurement read 137–215 GFLOP/s on this 2-core VM while
    /// ONNX Runtime's per-node medians ran at up to 260), and the per-node figures it is the denominator of are
    /// medians of ~1 ms runs that mostly escape the neighbour; the best 10 ms window is the comparable figure.
    /// </summary>
    public static double Best(int threads, int samples = 40, int milliseconds = 10) =>
        Enumerable.Range(0, samples).Max(_ => Measure(threads, milliseconds));

    /// <summary>Runs <paramref name="iterations"/> rounds of 12 FMAs; returns the floating-point operations done.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double OneThread(long iterations)
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return Chains512(iterations);
        if (Vector256.IsHardwareAccelerated) return Chains256(iterations);
        return Chains128(iterations);
    }

    // One method per width, written out: .NET 10 has no public generic vector interface to write them once
    // (ISimdVector is internal), and a loop over an array of accumulators would not stay in registers.
    private static double Chains512(long iterations)
    {
        {
            var m = Vector512.Create(0.999f); var a = Vector512.Create(1e-3f);
            Vector512<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a); c2 = Vector512.FusedMultiplyAdd(c2, m, a);
                c3 = Vector512.FusedMultiplyAdd(c3, m, a); c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
                c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a); c8 = Vector512.FusedMultiplyAdd(c8, m, a);
                c9 = Vector512.FusedMultiplyAdd(c9, m, a); c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
            }
            Sink((c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar());
        }
        return 12.0 * 2 * Vector512<float>.Count * iterations;
    }

    private static double Chains256(long iterations)
    {
        {
            var m = Vector256.Create(0.999f); var a = Vector256.Create(1e-3f);
            Vector256<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a); c2 = Vector256.FusedMultiplyAdd(c2, m, a);
                c3 = Vector256.FusedMultiplyAdd(c3, m, a); c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
                c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a); c8 = Vector256.FusedMultiplyAdd(c8, m, a);
                c9 = Vector256.FusedMultiplyAdd(c9, m, a); c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
            }
            Sink((c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar());
        }
        return 12.0 * 2 * Vector256<float>.Count * iterations;
    }

    private static double Chains128(long iterations)
    {
        {
            var m = Vector128.Create(0.999f); var a = Vector128.Create(1e-3f);
            Vector128<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Vector128.FusedMultiplyAdd(c0, m, a); c1 = Vector128.FusedMultiplyAdd(c1, m, a); c2 = Vector128.FusedMultiplyAdd(c2, m, a);
                c3 = Vector128.FusedMultiplyAdd(c3, m, a); c4 = Vector128.FusedMultiplyAdd(c4, m, a); c5 = Vector128.FusedMultiplyAdd(c5, m, a);
                c6 = Vector128.FusedMultiplyAdd(c6, m, a); c7 = Vector128.FusedMultiplyAdd(c7, m, a); c8 = Vector128.FusedMultiplyAdd(c8, m, a);
                c9 = Vector128.FusedMultiplyAdd(c9, m, a); c10 = Vector128.FusedMultiplyAdd(c10, m, a); c11 = Vector128.FusedMultiplyAdd(c11, m, a);
            }
            Sink((c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar());
        }
        return 12.0 * 2 * Vector128<float>.Count * iterations;
    }

    private static float s_sink;
    private static void Sink(float value) => s_sink += value; // keeps the chains from being optimised away
}
