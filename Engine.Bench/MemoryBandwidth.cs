using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Planning;

namespace Cardinal.Bench;

/// <summary>
/// The host's memory read bandwidth: each thread streams an array of its own, far larger than the caches, with the
/// widest vector loads, so nothing but memory limits it; on 2 MiB pages (<see cref="HugePages"/>, as the backend's packed
/// weights) or without asking for them (4 KiB pages where transparent huge pages are "madvise", as on this host; a host
/// set to "always" backs both with huge pages). `peak --memory` prints it on 1 thread and on T. A layer that streams its weights at batch 1
/// cannot scale from 1 thread to T by more than the bandwidth does (NOTES "Thirty-second sitting": on the Zen 4 host one
/// core drew 26–27 of the two cores' 29–33 GB/s; "Thirty-third sitting": on the Zen 5, 30.5–32 of 55.7–56.7).
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>Bytes each thread streams per pass: 256 MiB, eight times this host's L3.</summary>
    private const int BytesPerThread = 256 << 20;

    /// <summary>GB/s of <paramref name="threads"/> threads reading together, the best of <paramref name="passes"/> passes over their arrays.</summary>
    public static double Measure(int threads, bool hugePages, int passes = 4)
    {
        float[][] arrays = Arrays(threads, BytesPerThread, hugePages);
        double best = Best(arrays, threads, passes);
        GC.KeepAlive(arrays);
        return best;
    }

    /// <summary>
    /// The host's memory read scaling from 1 thread to <paramref name="threads"/>, read again and again at little cost: arrays of
    /// 64 MiB per thread (twice this host's L3) made once, two passes on 1 thread and two on T, about 20 ms a reading (15–25 ms, 20 readings).
    /// `ortscaling` reads it at the edges of every T-thread block beside the FMA scaling: a layer that streams its weights
    /// cannot scale by more than the memory does, and the memory's scaling moves with the host's minutes where the FMA
    /// peak's does not (NOTES "Thirty-eighth sitting").
    /// </summary>
    public sealed class Probe(int threads)
    {
        private readonly float[][] _arrays = Arrays(threads, 64 << 20, hugePages: false);

        /// <summary>The best of two passes on T threads over the best of two on one.</summary>
        public double Scaling() => Best(_arrays, _arrays.Length, 2) / Best(_arrays, 1, 2);
    }

    /// <summary>One array per thread of <paramref name="bytes"/>, every page written (and so mapped) before any clock.</summary>
    private static float[][] Arrays(int threads, int bytes, bool hugePages) => Enumerable.Range(0, threads).Select(_ =>
    {
        float[] a = GC.AllocateUninitializedArray<float>(bytes / sizeof(float), pinned: true);
        if (hugePages) HugePages.Advise(a);
        Array.Fill(a, 1f);
        return a;
    }).ToArray();

    /// <summary>GB/s of the first <paramref name="threads"/> arrays read together, each by its own thread: the best of <paramref name="passes"/> passes.</summary>
    private static double Best(float[][] arrays, int threads, int passes)
    {
        double best = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            var start = new Barrier(threads);
            var seconds = new double[threads];
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                start.SignalAndWait();
                long began = Stopwatch.GetTimestamp();
                Sink(Read(arrays[t]));
                seconds[t] = Stopwatch.GetElapsedTime(began).TotalSeconds;
            });
            best = Math.Max(best, threads * (double)arrays[0].Length * sizeof(float) / seconds.Max() / 1e9);
        }
        return best;
    }

    /// <summary>Sums the array in four independent chains of the widest vectors (the loads, not the adds, set the pace).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Read(float[] a)
    {
        ref float first = ref a[0];
        int step = Vector512<float>.Count;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int i = 0; i + 4 * step <= a.Length; i += 4 * step)
        {
            s0 += Vector512.LoadUnsafe(ref first, (nuint)i);
            s1 += Vector512.LoadUnsafe(ref first, (nuint)(i + step));
            s2 += Vector512.LoadUnsafe(ref first, (nuint)(i + 2 * step));
            s3 += Vector512.LoadUnsafe(ref first, (nuint)(i + 3 * step));
        }
        return Vector512.Sum(s0 + s1 + s2 + s3);
    }

    private static float s_sink;
    private static void Sink(float value) => s_sink += value;
}
