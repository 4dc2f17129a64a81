using System.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// Where two threads lose against one, loop by loop: `threads MODEL.onnx [--threads 2] [--batch 1] [--runs 10]
/// [--rounds 3] [--min-ms 0.1]`. Two sessions of the model, one on 1 thread and one on T, run in turn round by round,
/// each recording every parallel loop's per-thread times (<see cref="LoopTrace"/>). Per loop (a layer's tasks; the
/// kernels' own loops named by type) the medians: its wall time on 1 and on T threads, the threads' summed busy time
/// on T against the one thread's (work inflation: the same indices took longer on T threads — the memory, the other
/// core's lines), their use of the loop's wall (idle: a late start, an uneven share), and the workers' start after the
/// loop was published. The totals split T threads' loss against perfect scaling (1-thread wall / T) into work inflation
/// ((busy_T − busy_1) / T) and idle (wall_T − busy_T / T), plus the time outside loops.
/// </summary>
internal static class ThreadsRunner
{
    private const string Usage = "threads MODEL.onnx [--threads 2] [--batch 1] [--runs 10] [--rounds 3] [--min-ms 0.1]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"threads: usage: {Usage}");
            return 2;
        }
        int threads = CompareRunner.Option(args, "--threads", 2), batch = CompareRunner.Option(args, "--batch", 1);
        int runs = CompareRunner.Option(args, "--runs", 10), rounds = CompareRunner.Option(args, "--rounds", 3);
        double minMs = double.Parse(CompareRunner.TextOption(args, "--min-ms") ?? "0.1", System.Globalization.CultureInfo.InvariantCulture);
        if (threads < 2 || batch < 1 || runs < 1 || rounds < 1)
        {
            Console.Error.WriteLine($"threads: --threads takes 2 or more, --batch, --runs and --rounds 1 or more. Usage: {Usage}");
            return 2;
        }
        var traces = new[] { new LoopTrace(), new LoopTrace() };
        InferenceSession one, many;
        try { (one, many) = (Open(args[0], 1, traces[0]), Open(args[0], threads, traces[1])); }
        catch (CardinalException e)
        {
            Console.Error.WriteLine($"threads: {e.Message}");
            return 1;
        }
        using var disposeOne = one;
        using var disposeMany = many;
        InferenceSession[] sessions = [one, many];
        int[] dims = one.Inputs[0].Dims!.Select((d, i) => i == 0 ? d.Size ?? batch : d.Size ?? 1).ToArray();
        KernelExecutor[] executors = sessions.Select(s => (KernelExecutor)s.CompiledPlanFor([dims])).ToArray();
        ExecutionPlan plan = one.PlanForShapes([dims]);
        var input = Tensor.FromArray(Enumerable.Range(0, dims.Aggregate(1, (x, y) => x * y)).Select(i => MathF.Sin(i)).ToArray(), dims);
        Tensor[] outputs = sessions.Select(_ => Tensor.CreateUninitialized(plan.Values[plan.Outputs[0]].ElementType, plan.Values[plan.Outputs[0]].Dims)).ToArray();
        string[] steps = plan.Steps.Select(st => st.Node.Name).ToArray();
        var loops = new[] { new List<List<LoopTrace.Loop>>(), new List<List<LoopTrace.Loop>>() };
        var stepRuns = new[] { new List<(long[] Ticks, long[] Starts)>(), new List<(long[] Ticks, long[] Starts)>() };
        var walls = new[] { new List<double>(), new List<double>() };
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
                    walls[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    loops[k].Add(traces[k].Take());
                    stepRuns[k].Add((ticks, starts));
                }
            }

        LoopStats[] single = Summarise(loops[0], stepRuns[0], steps), multi = Summarise(loops[1], stepRuns[1], steps);
        var singleByKey = single.ToDictionary(s => s.Key);
        Console.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(args[0]))}/{Path.GetFileName(args[0])}: batch {dims[0]}, 1 and {threads} thread(s), {rounds} rounds of {runs} runs each; medians; loops of ≥ {minMs} ms on 1 thread listed");
        Console.WriteLine($"| loop | indices | 1 thread ms | {threads} threads ms | scaling | busy, {threads} threads summed | inflation | use | worker start µs |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        double unmatched = 0;
        foreach (LoopStats m in multi)
        {
            if (!singleByKey.TryGetValue(m.Key, out LoopStats? s)) { unmatched += m.Wall; continue; }
            if (s.Wall < minMs) continue;
            Console.WriteLine($"| {m.Key} | {m.Indices} | {s.Wall:F3} | {m.Wall:F3} | {s.Wall / m.Wall:F2}× | {m.Busy:F3} | {m.Busy / s.Busy:F2} | {m.Busy / (threads * m.Wall):P0} | {m.WorkerStartUs:F1} |");
        }
        // The totals are medians of each run's sums (a sum of per-loop medians falls short of a typical run: each loop's
        // time is skewed to the right).
        var both = new HashSet<string>(multi.Select(m => m.Key).Where(singleByKey.ContainsKey));
        var totals1 = Totals(loops[0], stepRuns[0], steps, walls[0], both);
        var totalsT = Totals(loops[1], stepRuns[1], steps, walls[1], both);
        double w1 = Median(totals1.Select(t => t.Loops)), wT = Median(totalsT.Select(t => t.Loops));
        double b1 = Median(totals1.Select(t => t.Busy)), bT = Median(totalsT.Select(t => t.Busy));
        double run1 = Median(walls[0]), runT = Median(walls[1]);
        Console.WriteLine();
        Console.WriteLine($"runs: 1 thread {run1:F2} ms, {threads} threads {runT:F2} ms ({run1 / runT:F2}×)");
        Console.WriteLine($"loops found on both: 1 thread {w1:F2} ms, {threads} threads {wT:F2} ms ({w1 / wT:F2}×); loops only on {threads} threads {unmatched:F2} ms");
        Console.WriteLine($"{threads} threads against perfect scaling ({w1 / threads:F2} ms): +{wT - w1 / threads:F2} ms = work inflation {(bT - b1) / threads:+0.00;-0.00} ms (busy {b1:F2} → {bT:F2} ms summed) + idle {wT - bT / threads:+0.00;-0.00} ms");
        Console.WriteLine($"outside the traced loops (the executor, single-threaded steps, steps in side-by-side lanes, which run on their own): 1 thread {Median(totals1.Select(t => t.Outside)):F2} ms, {threads} threads {Median(totalsT.Select(t => t.Outside)):F2} ms");
        // Where that time sits: each step's time less its loops', the largest first.
        double[] out1 = Outside(stepRuns[0], loops[0], steps.Length), outT = Outside(stepRuns[1], loops[1], steps.Length);
        Console.WriteLine($"steps' own time outside their loops (ms; 1 thread / {threads} threads), summed {out1.Sum():F2} / {outT.Sum():F2}; the largest:");
        foreach (int st in Enumerable.Range(0, steps.Length).OrderByDescending(st => outT[st] + out1[st]).Take(8))
            Console.WriteLine($"  {steps[st],-50} {out1[st],7:F3} / {outT[st],7:F3}");
        return 0;
    }

    private static InferenceSession Open(string model, int threads, LoopTrace trace) =>
        InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = threads, LoopTrace = trace }));

    /// <summary>One loop of the run (its label and occurrence), its medians over the runs.</summary>
    private sealed record LoopStats(string Key, int Indices, double Wall, double Busy, double WorkerStartUs);

    /// <summary>The step whose timed span holds the loop's publication, or −1 (a loop in no timed step).</summary>
    private static int StepOf(LoopTrace.Loop loop, (long[] Ticks, long[] Starts) run)
    {
        for (int s = 0; s < run.Starts.Length; s++)
            if (run.Ticks[s] > 0 && loop.At >= run.Starts[s] && loop.At < run.Starts[s] + run.Ticks[s]) return s;
        return -1;
    }

    /// <summary>Per step, the median over runs of its time less its loops' walls.</summary>
    private static double[] Outside(List<(long[] Ticks, long[] Starts)> stepRuns, List<List<LoopTrace.Loop>> runs, int steps)
    {
        double ms = 1000.0 / Stopwatch.Frequency;
        var perStep = Enumerable.Range(0, steps).Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < runs.Count; r++)
        {
            var inLoops = new long[steps];
            foreach (LoopTrace.Loop loop in runs[r]) if (StepOf(loop, stepRuns[r]) is >= 0 and var s) inLoops[s] += loop.Wall;
            for (int s = 0; s < steps; s++) perStep[s].Add((stepRuns[r].Ticks[s] - inLoops[s]) * ms);
        }
        return perStep.Select(Median).ToArray();
    }

    /// <summary>Per loop (its step and label, k-th of them in the step), in the run's order: the medians over runs that ran it.</summary>
    private static LoopStats[] Summarise(List<List<LoopTrace.Loop>> runs, List<(long[] Ticks, long[] Starts)> stepRuns, string[] steps)
    {
        double ms = 1000.0 / Stopwatch.Frequency;
        var byKey = new Dictionary<string, List<LoopTrace.Loop>>();
        var order = new List<string>();
        for (int r = 0; r < runs.Count; r++)
            foreach ((string key, LoopTrace.Loop loop) in Keyed(runs[r], stepRuns[r], steps))
            {
                if (!byKey.TryGetValue(key, out var list)) { byKey[key] = list = []; order.Add(key); }
                list.Add(loop);
            }
        return order.Select(key =>
        {
            List<LoopTrace.Loop> l = byKey[key];
            double[] workerStarts = l.SelectMany(x => x.Start.Skip(1).Where(s => s >= 0)).Select(s => s * ms * 1000).ToArray();
            return new LoopStats(key, l[0].Count, Median(l.Select(x => x.Wall * ms)), Median(l.Select(x => x.Busy.Sum() * ms)),
                workerStarts.Length == 0 ? double.NaN : Median(workerStarts));
        }).ToArray();
    }

    /// <summary>A run's loops named by their step and plan (the k-th of a name in a run numbered #k).</summary>
    private static IEnumerable<(string Key, LoopTrace.Loop Loop)> Keyed(List<LoopTrace.Loop> run, (long[] Ticks, long[] Starts) steps, string[] names)
    {
        var seen = new Dictionary<string, int>();
        foreach (LoopTrace.Loop loop in run)
        {
            int step = StepOf(loop, steps);
            string label = (step >= 0 ? names[step] + " " : "") + ShortLabel(loop.Label);
            int k = seen[label] = seen.GetValueOrDefault(label) + 1;
            yield return (k == 1 ? label : $"{label} #{k}", loop);
        }
    }

    /// <summary>Per run, the walls and summed busy times of the loops named in <paramref name="keys"/>, and the run's time outside them.</summary>
    private static (double Loops, double Busy, double Outside)[] Totals(List<List<LoopTrace.Loop>> runs, List<(long[] Ticks, long[] Starts)> stepRuns,
        string[] steps, List<double> walls, HashSet<string> keys)
    {
        double ms = 1000.0 / Stopwatch.Frequency;
        return Enumerable.Range(0, runs.Count).Select(r =>
        {
            var mine = Keyed(runs[r], stepRuns[r], steps).ToList();
            double loops = mine.Where(x => keys.Contains(x.Key)).Sum(x => x.Loop.Wall * ms), busy = mine.Where(x => keys.Contains(x.Key)).Sum(x => x.Loop.Busy.Sum() * ms);
            return (loops, busy, walls[r] - mine.Sum(x => x.Loop.Wall * ms));
        }).ToArray();
    }

    /// <summary>The plan's type without the shape the step's name already gives ("BlockedDirectPlan 256→1024 …" → "BlockedDirectPlan").</summary>
    private static string ShortLabel(string label) => label.Split(' ')[0];

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
