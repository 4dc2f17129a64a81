using System.Diagnostics;
using System.Runtime.CompilerServices;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Bench;

/// <summary>
/// `forloop`'s cross-core loop: 64 indices, each reading a 64 KB slice that another thread wrote in the loop before, then
/// writing its own, so that on 2 threads half of what each thread reads comes from the other core.
/// <para>The loop body is fully optimized from its first call, and only loops whose indices ran on two processors or more
/// count. As a lambda at the JIT's first tier the same loops read 314–326 µs where optimized they read 141–168, and how
/// soon the JIT promoted the lambda decided what `forloop` printed. The 245–310 µs "slow mode" readings of the
/// thirty-first to thirty-fifth sittings were in part that (NOTES "Thirty-sixth sitting").</para>
/// </summary>
public static class CrossCoreProbe
{
    /// <summary>Slices the loop runs: 64 of 64 KB, 4 MB in all.</summary>
    private const int Slices = 64, SliceFloats = 16384;

    /// <summary>A reading: the median µs of the loops counted (on several threads, those that ran on two processors or more), and how many were counted.</summary>
    public readonly record struct Reading(double Microseconds, int TwoCoreLoops, int Loops);

    /// <summary>
    /// <paramref name="loops"/> loops on <paramref name="parallel"/>: index s reads slice (s + shift) and writes slice s, the
    /// shift alternating 0 and 32. Each index notes the processor it ran on. On several threads a loop whose indices all ran
    /// on one processor (the scheduler put both threads on one core) moved nothing between cores and is left out.
    /// </summary>
    internal static Reading Run(ParallelRunner parallel, int loops)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        var data = new float[Slices * SliceFloats];
        var processors = new int[Slices];
        var times = new List<double>(loops);
        for (int i = 0; i < loops; i++)
        {
            int shift = i % 2 == 0 ? 0 : Slices / 2;
            long t0 = Stopwatch.GetTimestamp();
            parallel.For(Slices, new SliceBody(data, processors, shift));
            double us = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (parallel.Threads == 1 || processors.AsSpan().IndexOfAnyExcept(processors[0]) >= 0) times.Add(us);
        }
        return new Reading(Stats.Median(times), times.Count, loops);
    }

    /// <summary>One index: read slice (s + shift), write slice s, note the processor.</summary>
    private readonly struct SliceBody(float[] data, int[] processors, int shift) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int s)
        {
            int from = (s + shift) % Slices * SliceFloats, to = s * SliceFloats;
            float sum = 0;
            for (int k = 0; k < SliceFloats; k += 16) sum += data[from + k];
            for (int k = 0; k < SliceFloats; k += 16) data[to + k] = sum;
            processors[s] = Thread.GetCurrentProcessorId();
        }
    }
}
