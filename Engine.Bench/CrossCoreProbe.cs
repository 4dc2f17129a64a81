using System.Diagnostics;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Bench;

/// <summary>
/// The host's cross-core mode, read by `forloop`'s 64 KB loop: 64 indices on two threads, each reading a 64 KB slice that the
/// other thread wrote in the loop before, then writing its own. This 2-vCPU VM runs in two modes for minutes at a time.
/// In the quiet mode the loop takes 173–196 µs; in the slow mode it takes 245–310 µs, one vCPU is slower than the other, and
/// every batch-1 layer that streams from memory or from the other core scales worse on 2 threads, ORT's nodes included
/// (NOTES "Thirty-fourth sitting"). The per-layer targets read as met or missed by that mode, so `ortscaling` and
/// `ortprofile` print this probe before and after their runs. It cannot see stretches of seconds inside a run (NOTES
/// "Thirty-first sitting"); it says which mode the run began and ended in.
/// </summary>
public static class CrossCoreProbe
{
    /// <summary>At or under this many µs a loop reads as the quiet mode (the slowest quiet reading was 196 µs).</summary>
    public const double QuietAtMost = 210;

    /// <summary>At or over this many µs a loop reads as the slow mode (the quickest slow reading was 245 µs).</summary>
    public const double SlowFrom = 240;

    /// <summary>Slices the loop runs: 64 of 64 KB, 4 MB in all.</summary>
    private const int Slices = 64, SliceFloats = 16384;

    /// <summary>
    /// The median time of <paramref name="loops"/> such loops on <paramref name="parallel"/>, in µs: index s reads slice
    /// (s + shift) and writes slice s, the shift alternating 0 and 32, so that half of what a thread reads the other thread
    /// wrote in the loop before.
    /// </summary>
    internal static double MedianMicroseconds(ParallelRunner parallel, int loops)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        var data = new float[Slices * SliceFloats];
        var times = new List<double>(loops);
        for (int i = 0; i < loops; i++)
        {
            int shift = i % 2 == 0 ? 0 : Slices / 2;
            long t0 = Stopwatch.GetTimestamp();
            parallel.For(Slices, s =>
            {
                int from = (s + shift) % Slices * SliceFloats, to = s * SliceFloats;
                float sum = 0;
                for (int k = 0; k < SliceFloats; k += 16) sum += data[from + k];
                for (int k = 0; k < SliceFloats; k += 16) data[to + k] = sum;
            });
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
        return Stats.Median(times);
    }

    /// <summary>
    /// The probe on a 2-thread runner of its own (the runs' own runners keep their state): 400 loops, about 0.1 s, after a
    /// second's pause. Without the pause, a probe right after ORT's runs once read 76 µs: ORT's pool threads still held a
    /// core, so both of the probe's threads ran on the other one and nothing crossed between cores.
    /// </summary>
    public static double Measure()
    {
        Thread.Sleep(1000);
        using var parallel = new ParallelRunner(2);
        MedianMicroseconds(parallel, 40); // the worker awake and the buffer's pages touched
        return MedianMicroseconds(parallel, 400);
    }

    /// <summary>
    /// The mode a reading says: "quiet", "slow", "between", or "one core" under 120 µs (both threads ran on one core: the
    /// reading says nothing of the link).
    /// </summary>
    public static string Mode(double microseconds) => microseconds < OneCoreUnder ? "one core" : microseconds <= QuietAtMost ? "quiet" : microseconds >= SlowFrom ? "slow" : "between";

    /// <summary>Under this many µs the loop's two threads shared one core (76 µs was read so; the quiet mode's quickest was 173).</summary>
    public const double OneCoreUnder = 120;

    /// <summary>One line for a run's header: both readings and the modes they say.</summary>
    public static string Describe(double before, double after) =>
        $"The host's cross-core probe (`forloop`'s 64 KB loop, 2 threads; quiet ≤ {QuietAtMost:F0} µs, slow ≥ {SlowFrom:F0}): "
        + $"{before:F0} µs before the runs ({Mode(before)}), {after:F0} after ({Mode(after)})";
}
