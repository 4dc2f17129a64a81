using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Bench;

/// <summary>
/// What a parallel loop costs on its own: loops of empty indices, and loops whose indices each read a 64 KB slice of a
/// buffer the other thread wrote in the loop before (a layer reading its predecessor's output), on the runner the
/// kernels use. Separates hand-off cost from cross-core data movement. Last, how long after a run's last loop the workers
/// stop spinning and sleep (cores a service's other work could have had). On 2 threads, also what storing a slice costs
/// when its lines sit in the storing core, in the other core, or in both. The loops that move data run bodies optimized
/// from their first call, as the kernels' are: as lambdas at the JIT's first tier they had timed the JIT as much as the
/// data (NOTES "Thirty-sixth sitting").
/// Usage: forloop [--threads 2] [--runs 2000]
/// </summary>
public static class ForLoopRunner
{
    public static int Run(string[] args)
    {
        int threads = CompareRunner.Option(args, "--threads", 2), runs = CompareRunner.Option(args, "--runs", 2000);
        using var parallel = new ParallelRunner(threads);
        var data = new float[64 * Slice]; // the store loops' 64 slices of 4 KB (CrossCoreProbe has its own 4 MB)
        foreach (int count in new[] { 2, 64 })
        {
            var empty = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                parallel.For(count, _ => { });
                empty.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
            empty.Sort();
            Console.WriteLine($"{threads} thread(s), {count} empty indices: median {empty[empty.Count / 2]:F1} µs per loop");
        }
        // Half of what each thread reads, the other thread wrote in the loop before (CrossCoreProbe).
        var touch = CrossCoreProbe.Run(parallel, Math.Max(1, runs / 4));
        Console.WriteLine($"{threads} thread(s), 64 indices each reading 64 KB the other thread wrote (every other loop): median {touch.Microseconds:F1} µs per loop"
            + (threads > 1 ? $" ({touch.TwoCoreLoops} of {touch.Loops} loops ran on two processors or more; the others are left out)" : ""));
        // Stores: a layer writing its output into a buffer whose lines its own core holds, the other core holds (the other
        // thread wrote them last), or both cores hold (every thread read them all last, as a groups-outermost 1×1 reads its
        // whole input): index s writes all of slice s (or s + 32), one 64-byte line per store. 4 KB slices, 128 KB per thread:
        // the lines stay in the caches, so what is timed is whose they are.
        if (threads > 1)
        {
            Console.WriteLine($"{threads} thread(s), 64 indices each storing every line of a 4 KB slice, median µs per loop: "
                + $"own lines {StoreLoop(parallel, data, runs / 4, 0, false):F1}, the other core's {StoreLoop(parallel, data, runs / 4, 32, false):F1}, "
                + $"both cores' (all read first) {StoreLoop(parallel, data, runs / 4, 0, true):F1}");
        }
        // After the last loop of a run the workers spin, then sleep: how long they hold their cores for nothing.
        if (threads > 1)
        {
            var idle = new List<double>();
            int missed = 0;
            for (int i = 0; i < 50; i++)
            {
                while (parallel.Sleeping < threads - 1) Thread.Sleep(1);
                // Loops long enough (64 × ~5 µs) that every worker wakes and joins them.
                parallel.For(64, _ => Thread.SpinWait(200));
                long spins = parallel.IdleSpins;
                parallel.For(64, _ => Thread.SpinWait(200));
                long t0 = Stopwatch.GetTimestamp();
                // The idle spins counted from before the second loop, and a bound: with the count taken after it, a
                // caller held off its core for longer than the workers' spin (this VM's host does that) missed their
                // one sleep and waited for another that never came (a `forloop` that hung for 25 minutes).
                while ((parallel.IdleSpins - spins < threads - 1 || parallel.Sleeping < threads - 1) && Stopwatch.GetElapsedTime(t0).TotalSeconds < 1)
                    Thread.Yield();
                if (parallel.Sleeping == threads - 1) idle.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                else missed++;
            }
            idle.Sort();
            Console.WriteLine($"{threads} thread(s), after two loops: the workers sleep {Stats.Median(idle):F0} µs later (median of {idle.Count}"
                + (missed > 0 ? $"; {missed} not asleep within 1 s" : "") + ")");
        }
        return 0;
    }

    /// <summary>Floats in one slice of the store loops: 4 KB, 64 lines.</summary>
    private const int Slice = 1024;

    /// <summary>
    /// Loops of 64 indices, each storing every line of one 4 KB slice (the first 256 KB of <paramref name="data"/>): slice s
    /// in loops of even number, slice s + <paramref name="shift"/> in odd ones (32: the slice the other thread wrote in the
    /// loop before, in every loop after the first). With <paramref name="readAllFirst"/> an untimed loop first has every
    /// index read all 64 slices. Returns the median time of the store loops in µs. (Without AVX-512 each 64-byte store is
    /// split into narrower ones; each line is still written whole.)
    /// </summary>

    private static double StoreLoop(ParallelRunner parallel, float[] data, int loops, int shift, bool readAllFirst)
    {
        var times = new List<double>();
        var sink = new float[64 * 16];
        for (int i = 0; i < loops; i++)
        {
            if (readAllFirst) parallel.For(64, new ReadAllBody(data, sink));
            int by = i % 2 == 0 ? 0 : shift;
            long t0 = Stopwatch.GetTimestamp();
            parallel.For(64, new StoreSliceBody(data, by, i));
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
        return Stats.Median(times);
    }

    /// <summary>Index s reads every slice of the store loops' 256 KB (optimized from the first call, as <see cref="CrossCoreProbe"/>'s body).</summary>
    private readonly struct ReadAllBody(float[] data, float[] sink) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int s)
        {
            float sum = 0;
            for (int k = 0; k < 64 * Slice; k += 16) sum += data[k];
            sink[s * 16] = sum;
        }
    }

    /// <summary>Index s stores every line of slice (s + by) mod 64.</summary>
    private readonly struct StoreSliceBody(float[] data, int by, int value) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int s)
        {
            var line = Vector512.Create((float)value);
            int to = (s + by) % 64 * Slice;
            for (int k = 0; k < Slice; k += 16) line.CopyTo(data, to + k);
        }
    }
}
