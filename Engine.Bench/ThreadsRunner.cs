using System.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// Where two threads lose against one, loop by loop: `threads MODEL.onnx [--threads 2] [--batch 1] [--runs 10]
/// [--rounds 3] [--min-ms 0.1] [--per-thread] [--per-task] [--tuning Name=value,…]`. Two sessions of the model, one on 1 thread and one on T, run in turn round by round,
/// each recording every parallel loop's per-thread times (<see cref="LoopTrace"/>). Per loop (named by the step that
/// ran it, from the profiled run's step starts, and its body's type) the medians: its wall time on 1 and on T threads, the threads' summed busy time
/// on T against the one thread's (work inflation: the same indices took longer on T threads — the memory, the other
/// core's lines), their use of the loop's wall (idle: a late start, an uneven share), and the workers' start after the
/// loop was published. The totals split T threads' loss against perfect scaling (1-thread wall / T) into work inflation
/// ((busy_T − busy_1) / T) and idle (wall_T − busy_T / T), plus the time outside loops.
/// </summary>
internal static class ThreadsRunner
{
    private const string Usage = "threads MODEL.onnx [--threads 2] [--batch 1] [--runs 10] [--rounds 3] [--min-ms 0.1] [--per-thread] [--per-task] [--tuning Name=value,…]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"threads: usage: {Usage}");
            return 2;
        }
        int threads = CompareRunner.Option(args, "--threads", 2), batch = CompareRunner.Option(args, "--batch", 1);
        int runs = CompareRunner.Option(args, "--runs", 10), rounds = CompareRunner.Option(args, "--rounds", 3);
        bool perThread = args.Contains("--per-thread"), perTask = args.Contains("--per-task");
        double minMs = double.Parse(CompareRunner.TextOption(args, "--min-ms") ?? "0.1", System.Globalization.CultureInfo.InvariantCulture);
        if (threads < 2 || batch < 1 || runs < 1 || rounds < 1)
        {
            Console.Error.WriteLine($"threads: --threads takes 2 or more, --batch, --runs and --rounds 1 or more. Usage: {Usage}");
            return 2;
        }
        var traces = new[] { new LoopTrace(), new LoopTrace() };
        InferenceSession one, many;
        // --tuning: both sessions with that BlockedTuning (as `ab` names it), to read one setting's scaling.
        var tuning = AbRunner.Parse(CompareRunner.TextOption(args, "--tuning"));
        try { (one, many) = (Open(args[0], 1, traces[0], tuning), Open(args[0], threads, traces[1], tuning)); }
        catch (CardinalException e)
        {
            Console.Error.WriteLine($"threads: {e.Message}");
            return 1;
        }
        using var disposeOne = one;
        using var disposeMany = many;
        InferenceSession[] sessions = [one, many];
        int[] dims = ModelInput.Dims(one, batch);
        KernelExecutor[] executors = sessions.Select(s => (KernelExecutor)s.CompiledPlanFor([dims])).ToArray();
        ExecutionPlan plan = one.PlanForShapes([dims]);
        var input = ModelInput.Sine(dims);
        Tensor[] outputs = [ModelInput.OutputOf(plan), ModelInput.OutputOf(plan)];
        string[] steps = plan.Steps.Select(st => st.Node.Name).ToArray();
        var traced = new[] { new List<TracedRun>(), new List<TracedRun>() };
        for (int k = 0; k < 2; k++)
        {
            for (int i = 0; i < 3; i++) executors[k].Run([input], [outputs[k]]);
            traces[k].Take();
        }
        for (int round = 0; round < rounds; round++)
            for (int turn = 0; turn < 2; turn++)
            {
                int k = (turn + round) % 2;
                for (int r = 0; r < runs; r++)
                {
                    long[] ticks = new long[steps.Length], starts = new long[steps.Length];
                    long start = Stopwatch.GetTimestamp();
                    executors[k].Profile([input], [outputs[k]], ticks, starts);
                    double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    traced[k].Add(TracedRun.Of(wall, ticks, starts, traces[k].Take(), steps));
                }
            }

        LoopStats[] single = Summarise(traced[0]), multi = Summarise(traced[1]);
        var singleByKey = single.ToDictionary(s => s.Key);
        Console.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(args[0]))}/{Path.GetFileName(args[0])}: batch {dims[0]}, 1 and {threads} thread(s), {rounds} rounds of {runs} runs each; medians; loops of ≥ {minMs} ms on 1 thread listed, and those only the {threads}-thread plan runs from {minMs / threads} ms");
        Console.WriteLine($"| loop | indices | 1 thread ms | {threads} threads ms | scaling | busy, {threads} threads summed | inflation | use | worker start µs |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (LoopStats m in multi)
        {
            // A loop the 1-thread plan does not run (a Winograd layer's shared input transform, a second stage) gets its own
            // row, so that the step's time on T threads is whole; no scaling or inflation without a 1-thread twin.
            bool twin = singleByKey.TryGetValue(m.Key, out LoopStats? s);
            if (twin ? s!.Wall < minMs : m.Wall < minMs / threads) continue;
            string key = twin ? m.Key : $"{m.Key} (only on {threads})";
            string oneMs = twin ? $"{s!.Wall:F3}" : "–", scaling = twin ? $"{s!.Wall / m.Wall:F2}×" : "–", inflation = twin ? $"{m.Busy / s!.Busy:F2}" : "–";
            Console.WriteLine($"| {key} | {m.Indices} | {oneMs} | {m.Wall:F3} | {scaling} | {m.Busy:F3} | {inflation} | {m.Busy / (threads * m.Wall):P0} | {m.WorkerStartUs:F1} |");
            if (perThread)
                Console.WriteLine($"|   per thread: busy ms {string.Join(" / ", m.ThreadBusy.Select(v => v.ToString("F3")))}, indices {string.Join(" / ", m.ThreadIndices.Select(v => v.ToString("F1")))}, idle at the end ms {string.Join(" / ", m.ThreadIdle.Select(v => v.ToString("F3")))} | | | | | | | | |");
            if (perTask && m.IndexUs.Length > 0)
            {
                Console.WriteLine($"|   per index µs, {threads} threads: {string.Join(" ", m.IndexUs.Select(v => v.ToString("F0")))} | | | | | | | | |");
                // Index i is the same task on both only where both plans order their tasks alike (a batch on one thread
                // may run its groups first).
                if (twin && s!.IndexUs.Length == m.IndexUs.Length) Console.WriteLine($"|   per index µs, 1 thread: {string.Join(" ", s.IndexUs.Select(v => v.ToString("F0")))} | | | | | | | | |");
            }
        }
        // The totals are medians of each run's sums (a sum of per-loop medians falls short of a typical run: each loop's
        // time is skewed to the right).
        var both = new HashSet<string>(multi.Select(m => m.Key).Where(singleByKey.ContainsKey));
        Totals t1 = Totals.Of(traced[0], both), tT = Totals.Of(traced[1], both);
        Console.WriteLine();
        Console.WriteLine($"runs: 1 thread {t1.Run:F2} ms, {threads} threads {tT.Run:F2} ms ({t1.Run / tT.Run:F2}×)");
        Console.WriteLine($"loops found on both: 1 thread {t1.Loops:F2} ms, {threads} threads {tT.Loops:F2} ms ({t1.Loops / tT.Loops:F2}×); loops only on {threads} threads {tT.Others:F2} ms");
        Console.WriteLine($"{threads} threads against perfect scaling ({t1.Loops / threads:F2} ms): +{tT.Loops - t1.Loops / threads:F2} ms = work inflation {(tT.Busy - t1.Busy) / threads:+0.00;-0.00} ms (busy {t1.Busy:F2} → {tT.Busy:F2} ms summed) + idle {tT.Loops - tT.Busy / threads:+0.00;-0.00} ms");
        Console.WriteLine($"outside the traced loops (the executor, single-threaded steps, steps in side-by-side lanes, which run on their own): 1 thread {t1.Outside:F2} ms, {threads} threads {tT.Outside:F2} ms");
        // Where that time sits: each step's time less its loops', the largest first.
        double[] out1 = Outside(traced[0], steps.Length), outT = Outside(traced[1], steps.Length);
        Console.WriteLine($"steps' own time outside their loops (ms; 1 thread / {threads} threads), summed {out1.Sum():F2} / {outT.Sum():F2}; the largest:");
        foreach (int st in Enumerable.Range(0, steps.Length).OrderByDescending(st => outT[st] + out1[st]).Take(8))
            Console.WriteLine($"  {steps[st],-50} {out1[st],7:F3} / {outT[st],7:F3}");
        return 0;
    }

    private static InferenceSession Open(string model, int threads, LoopTrace trace, Cardinal.Kernels.Cpu.Nchwc.BlockedTuning tuning) =>
        InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = threads, LoopTrace = trace, BlockedTuning = tuning }));

    private static readonly double Ms = 1000.0 / Stopwatch.Frequency;

    /// <summary>
    /// One profiled run: its wall (ms), each step's ticks, and its loops, each with the step whose timed span holds its
    /// publication (−1: none) and its key, the step's name and the loop's label (the k-th of a key in a run numbered #k).
    /// </summary>
    private sealed record TracedRun(double Wall, long[] StepTicks, (string Key, int Step, LoopTrace.Loop Loop)[] Loops)
    {
        public static TracedRun Of(double wall, long[] ticks, long[] starts, List<LoopTrace.Loop> loops, string[] steps)
        {
            var seen = new Dictionary<string, int>();
            return new TracedRun(wall, ticks, loops.Select(loop =>
            {
                int step = -1;
                for (int s = 0; s < starts.Length && step < 0; s++)
                    if (ticks[s] > 0 && loop.At >= starts[s] && loop.At < starts[s] + ticks[s]) step = s;
                string label = (step >= 0 ? steps[step] + " " : "") + loop.Label;
                int k = seen[label] = seen.GetValueOrDefault(label) + 1;
                return (k == 1 ? label : $"{label} #{k}", step, loop);
            }).ToArray());
        }
    }

    /// <summary>The longest loop whose per-index times `--per-task` prints (and <see cref="Summarise"/> takes medians of).</summary>
    private const int PerTaskMaxIndices = 64;

    /// <summary>One loop (its key), its medians over the runs that ran it; IndexUs empty for loops over <see cref="PerTaskMaxIndices"/>.</summary>
    private sealed record LoopStats(string Key, int Indices, double Wall, double Busy, double WorkerStartUs, double[] ThreadBusy, double[] ThreadIndices, double[] ThreadIdle, double[] IndexUs);

    /// <summary>Per loop, in the runs' order: the medians over runs that ran it.</summary>
    private static LoopStats[] Summarise(List<TracedRun> runs) =>
        runs.SelectMany(r => r.Loops).GroupBy(x => x.Key, x => x.Loop).Select(g =>
        {
            double[] workerStarts = g.SelectMany(x => x.Start.Skip(1).Where(s => s >= 0)).Select(s => s * Ms * 1000).ToArray();
            int n = g.First().Busy.Length;
            // Per thread: its busy time, its indices, and its idle (the loop's wall less its start and busy), each a median over the runs.
            double[] PerThread(Func<LoopTrace.Loop, int, double> of) => Enumerable.Range(0, n).Select(t => Stats.Median(g.Select(x => of(x, t)))).ToArray();
            return new LoopStats(g.Key, g.First().Count, Stats.Median(g.Select(x => x.Wall * Ms)), Stats.Median(g.Select(x => x.Busy.Sum() * Ms)),
                workerStarts.Length == 0 ? double.NaN : Stats.Median(workerStarts),
                PerThread((x, t) => x.Busy[t] * Ms), PerThread((x, t) => x.Indices[t]), PerThread((x, t) => (x.Wall - Math.Max(0, x.Start[t]) - x.Busy[t]) * Ms),
                g.First().Count <= PerTaskMaxIndices && g.All(x => x.Count == g.First().Count && x.IndexTicks.Length == x.Count)
                    ? Enumerable.Range(0, g.First().Count).Select(i => Stats.Median(g.Select(x => x.IndexTicks[i] * Ms * 1000))).ToArray() : []);
        }).ToArray();

    /// <summary>
    /// The medians over runs of: the run's wall; the walls and summed busy times of the loops keyed in both sessions; the
    /// walls of the others; the run's time outside every loop.
    /// </summary>
    private sealed record Totals(double Run, double Loops, double Busy, double Others, double Outside)
    {
        public static Totals Of(List<TracedRun> runs, HashSet<string> both)
        {
            double Sum(TracedRun r, bool matched, Func<LoopTrace.Loop, long> ticks) => r.Loops.Where(x => both.Contains(x.Key) == matched).Sum(x => ticks(x.Loop)) * Ms;
            return new Totals(Stats.Median(runs.Select(r => r.Wall)), Stats.Median(runs.Select(r => Sum(r, true, l => l.Wall))),
                Stats.Median(runs.Select(r => Sum(r, true, l => l.Busy.Sum()))), Stats.Median(runs.Select(r => Sum(r, false, l => l.Wall))),
                Stats.Median(runs.Select(r => r.Wall - r.Loops.Sum(x => x.Loop.Wall) * Ms)));
        }
    }

    /// <summary>Per step, the median over runs of its time less its loops' walls.</summary>
    private static double[] Outside(List<TracedRun> runs, int steps) =>
        Enumerable.Range(0, steps).Select(s => Stats.Median(runs.Select(r => (r.StepTicks[s] - r.Loops.Where(x => x.Step == s).Sum(x => x.Loop.Wall)) * Ms))).ToArray();

}
