using System.Globalization;
using static Cardinal.Bench.OrtProfileRunner;

namespace Cardinal.Bench;

/// <summary>
/// How each convolution scales from 1 thread to T, in Cardinal and in ONNX Runtime, measured in one process:
/// four profiled sessions (each engine on 1 and on T threads) run in alternating blocks, so that the host's changes of
/// pace (this VM's "slow mode", NOTES) hit all four alike. Issue #11 asks for ≥ 1.8× from 1 to 2 threads on every
/// convolution over 0.5 ms; ORT's own nodes, matched by shape, show what the host allows the same layer in the same
/// minutes. Prints the whole runs, then per convolution shape (summed over its layers) both engines' times and
/// scaling with the worst layer's, then every layer over the line that scales below the target, with ORT's node beside it.
/// The host's own scaling is measured before and after every T-thread block (the FMA peak on 1 and on T threads, the best
/// of three 20 ms windows each): this VM's two vCPUs at times run as one core (the FMA peak on 2 threads read 1.01× its
/// 1-thread peak in one run), when no layer of either engine can scale; one thread keeps its core then. Blocks whose edges
/// both read at least --calm (1.9) are calm, and the calm T-thread blocks alone (with every 1-thread run) are summarised
/// again at the end, for both engines alike (NOTES "Twenty-eighth sitting"). The host's memory read scaling is read at the same
/// edges (<see cref="MemoryBandwidth.Probe"/>): the FMA peak scaled 1.9–2.0× in blocks where the memory scaled 1.3–1.6× and
/// nearly every layer of both engines fell below the target (NOTES "Thirty-eighth sitting"). Blocks calm in both (the memory's
/// readings at least --memory-calm, by default the target: a layer that streams from memory scales no further) are
/// summarised once more.
/// --block K runs each session's runs in blocks of K (default a quarter of --runs): more, shorter blocks sample more of the
/// host's minutes for each session, and each block's whole-run medians are printed for both engines (NOTES "Thirty-first
/// sitting": the host's slow stretches slow both engines' 2-thread blocks and neither's 1-thread blocks).
/// --runs-file PATH writes every run's session, block, start and wall time as TSV: whether slow runs come in stretches
/// (whole blocks) or one by one (NOTES "Thirty-second sitting": in stretches of seconds, which neither the best-window FMA
/// probe at the block edges nor a 200 ms mean of it saw).
/// --exact runs Cardinal's sessions in the exact mode (<see cref="CpuBackendOptions.Winograd"/> false: the direct kernels
/// in the Winograd layers' place), so the stride-1 3×3s are read as the direct kernel scales them, beside ORT's direct nodes
/// (NOTES "Thirty-ninth sitting").
/// Usage: ortscaling MODEL.onnx [--threads 2] [--runs 20] [--block K] [--batch 1] [--min-ms 0.5] [--target 1.8] [--calm 1.9] [--memory-calm 1.8]
///    [--runs-file PATH] (every run's start and wall time, per session, as TSV) [--tuning Name=value[,…]] (Cardinal's <see cref="Kernels.Cpu.Nchwc.BlockedTuning"/>, as `ab` takes it) [--exact]
/// </summary>
public static class OrtScalingRunner
{
    private const string Usage = "ortscaling MODEL.onnx [--threads T (2 or more)] [--runs R] [--block K] [--batch B] [--min-ms 0.5] [--target 1.8] [--calm 1.9] [--memory-calm X (default: the target)] [--runs-file PATH] [--tuning Name=value[,...]] [--exact]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) return Fail(Usage);
        string model = args[0];
        int threads = CompareRunner.Option(args, "--threads", 2), runs = CompareRunner.Option(args, "--runs", 20), batch = CompareRunner.Option(args, "--batch", 1);
        double minMs = double.Parse(CompareRunner.TextOption(args, "--min-ms") ?? "0.5", CultureInfo.InvariantCulture);
        double target = double.Parse(CompareRunner.TextOption(args, "--target") ?? "1.8", CultureInfo.InvariantCulture);
        double calm = CompareRunner.TextOption(args, "--calm") is { } calmText ? double.Parse(calmText, CultureInfo.InvariantCulture) : FmaPeak.CalmScaling;
        double memoryCalm = CompareRunner.TextOption(args, "--memory-calm") is { } memoryText ? double.Parse(memoryText, CultureInfo.InvariantCulture) : target;
        int perBlock = CompareRunner.Option(args, "--block", Math.Max(1, runs / 4));
        if (threads < 2 || runs < 1 || batch < 1 || perBlock < 1) return Fail($"--threads takes 2 or more, --runs, --block and --batch 1 or more. Usage: {Usage}");

        string? settings = CompareRunner.TextOption(args, "--tuning");
        Kernels.Cpu.Nchwc.BlockedTuning? tuning;
        try { tuning = settings is null ? null : AbRunner.Parse(settings); }
        catch (ArgumentException e) { return Fail(e.Message); }
        bool exact = args.Contains("--exact");
        string? runsFile = CompareRunner.TextOption(args, "--runs-file");
        // Every run's start (s from the first) and wall time per session, for --runs-file: whether slow runs come in stretches or one by one.
        var timeline = new List<(string Session, int Block, double StartS, double Ms)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var one = new ProfiledCardinal(model, 1, batch, tuning: tuning, exact: exact);
        using var many = new ProfiledCardinal(model, threads, batch, one.Data, tuning, exact);
        using var ortOne = new ProfiledOrt(model, 1, one.InputName, one.Data, one.Dims);
        using var ortMany = new ProfiledOrt(model, threads, one.InputName, one.Data, one.Dims);
        double peakOne = FmaPeak.Best(1), peakMany = FmaPeak.Best(threads);
        var memory = new MemoryBandwidth.Probe(threads);
        ortOne.WarmUp(); ortMany.WarmUp(); one.WarmUp(); many.WarmUp();
        // Rounds of blocks, each engine and thread count in turn. The host's scaling at both edges of every T-thread block:
        // one thread keeps its core in the host's slow moments, T threads do not.
        var ours = new HostEdges(calm, memoryCalm);
        var orts = new HostEdges(calm, memoryCalm);
        for (int done = 0; done < runs; done += perBlock)
        {
            int count = Math.Min(perBlock, runs - done), block = done / perBlock;
            Block(Timed(one.Profile, "cardinal-1", block), count);
            CalmBlock(Timed(many.Profile, $"cardinal-{threads}", block), count, ours);
            Block(Timed(ortOne.Run, "ort-1", block), count);
            CalmBlock(Timed(ortMany.Run, $"ort-{threads}", block), count, orts);
        }
        // Every session ran its runs block by block, so run k of any of them is in block k / perBlock.
        Func<int, bool> ourCalmRun = k => ours.Calm(k / perBlock), ortCalmRun = k => orts.Calm(k / perBlock);
        Func<int, bool> ourBothRun = k => ours.CalmInBoth(k / perBlock), ortBothRun = k => orts.CalmInBoth(k / perBlock);

        string name = $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(model)))}/{Path.GetFileName(model)}";
        Console.WriteLine($"{name}: batch {one.Dims[0]}, 1 against {threads} threads, median of {runs} profiled runs per session after a warm-up, four sessions in alternating blocks of {perBlock}");
        if (settings is not null) Console.WriteLine($"Cardinal's plan choices: {settings}");
        if (exact) Console.WriteLine("Cardinal in the exact mode: direct convolution everywhere, no Winograd");
        Console.WriteLine($"FMA peak measured now: {peakOne:F0} GFLOP/s on 1 thread, {peakMany:F0} on {threads} ({peakMany / peakOne:F2}×)");
        Console.WriteLine($"The host's FMA scaling, 1 → {threads} threads, before and after each {threads}-thread block: Cardinal {ours.Fma}, ORT {orts.Fma}; calm blocks (both ≥ {calm:F2}×): Cardinal {ours.CalmCount} of {ours.Blocks}, ORT {orts.CalmCount} of {orts.Blocks}");
        Console.WriteLine($"The host's memory read scaling at the same edges: Cardinal {ours.Memory}, ORT {orts.Memory}; blocks calm in the FMA peak and the memory (both ≥ {memoryCalm:F2}×): Cardinal {ours.CalmInBothCount} of {ours.Blocks}, ORT {orts.CalmInBothCount} of {orts.Blocks}");
        // Each block's whole-run medians: a block slow on both engines is the host's minute; one engine slow in every block
        // of a process is that process's own state (its memory, its threads' places).
        int blocks = (runs + perBlock - 1) / perBlock;
        string ByBlock(Func<Func<int, bool>, double> oneMs, Func<Func<int, bool>, double> manyMs) => string.Join(" ", Enumerable.Range(0, blocks)
            .Select(block => string.Create(CultureInfo.InvariantCulture, $"[{oneMs(k => k / perBlock == block):F2} {manyMs(k => k / perBlock == block):F2}]")));
        Console.WriteLine($"Whole runs by block (medians, ms, 1 and {threads} threads): Cardinal {ByBlock(one.RunMsOf, many.RunMsOf)}, ORT {ByBlock(ortOne.RunMsOf, ortMany.RunMsOf)}");
        // The 1-thread sides are the same in both summaries: read once.
        var (nodesOne, ortOneMs) = ortOne.End();
        var ones = new OneThread(one.Steps(), one.RunMs, nodesOne, ortOneMs);
        if (Summarise(threads, minMs, target, ones, many, ortMany, null, null, printShapes: true) is { } error) return Fail(error);
        Console.WriteLine();
        if (ours.CalmCount == ours.Blocks && orts.CalmCount == orts.Blocks) Console.WriteLine($"Every {threads}-thread block was calm: the summary above is the calm blocks'.");
        else if (ours.CalmCount == 0 || orts.CalmCount == 0) Console.WriteLine($"An engine had no calm {threads}-thread block: no summary of the calm blocks alone.");
        else
        {
            Console.WriteLine($"The calm {threads}-thread blocks alone (Cardinal {Enumerable.Range(0, runs).Count(ourCalmRun)} runs, ORT {Enumerable.Range(0, runs).Count(ortCalmRun)}; every 1-thread run):");
            Summarise(threads, minMs, target, ones, many, ortMany, ourCalmRun, ortCalmRun, printShapes: false);
        }
        Console.WriteLine();
        int ourBoth = Enumerable.Range(0, runs).Count(ourBothRun), ortBoth = Enumerable.Range(0, runs).Count(ortBothRun);
        if (ourBoth == 0 || ortBoth == 0) Console.WriteLine($"An engine had no {threads}-thread block calm in the memory too: no summary of those blocks alone.");
        else
        {
            Console.WriteLine($"The {threads}-thread blocks calm in the FMA peak and the memory alone (Cardinal {ourBoth} runs, ORT {ortBoth}; every 1-thread run):");
            Summarise(threads, minMs, target, ones, many, ortMany, ourBothRun, ortBothRun, printShapes: false);
        }
        if (runsFile is not null)
        {
            Formats.Vectors.AtomicFile.Write(runsFile, stream =>
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                writer.WriteLine("session\tblock\tstart_s\tms");
                foreach (var t in timeline) writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t.Session}\t{t.Block}\t{t.StartS:F4}\t{t.Ms:F3}"));
            });
            Console.WriteLine($"Every run's start and wall time: {runsFile}");
        }
        return 0;

        // One session's run, its start and wall time noted for --runs-file (the profiled time of the run is the session's own);
        // the run as it is without it.
        Action Timed(Action run, string session, int block) => runsFile is null ? run : () =>
        {
            double start = clock.Elapsed.TotalSeconds;
            run();
            timeline.Add((session, block, start, (clock.Elapsed.TotalSeconds - start) * 1000));
        };

        // A block of runs after a pause (CompareRunner.BlockPauseMs: the other sessions' spinning workers go to sleep first).
        static void Block(Action run, int count)
        {
            Thread.Sleep(CompareRunner.BlockPauseMs);
            for (int i = 0; i < count; i++) run();
        }

        // A T-thread block with the host's FMA and memory scaling read before it and after it (after a pause: the engine's
        // pool threads may still spin), noted in the engine's edges.
        void CalmBlock(Action run, int count, HostEdges edges)
        {
            Thread.Sleep(CompareRunner.BlockPauseMs);
            double before = FmaPeak.HostScaling(threads), memoryBefore = memory.Scaling();
            Block(run, count);
            Thread.Sleep(CompareRunner.BlockPauseMs);
            double after = FmaPeak.HostScaling(threads), memoryAfter = memory.Scaling();
            edges.Add(before, after, memoryBefore, memoryAfter);
        }
    }

    /// <summary>
    /// One engine's T-thread blocks in order: the host's FMA and memory scaling read at each block's edges, judged against
    /// --calm (the FMA peak's) and --memory-calm (the memory's); a block is calm where both of its readings reach the line.
    /// </summary>
    private sealed class HostEdges(double calm, double memoryCalm)
    {
        private readonly List<(double Before, double After)> _fma = [], _memory = [];

        public void Add(double before, double after, double memoryBefore, double memoryAfter)
        {
            _fma.Add((before, after));
            _memory.Add((memoryBefore, memoryAfter));
        }

        public int Blocks => _fma.Count;

        /// <summary>Whether both FMA readings of block <paramref name="block"/> reached --calm.</summary>
        public bool Calm(int block) => Math.Min(_fma[block].Before, _fma[block].After) >= calm;

        /// <summary>Whether block <paramref name="block"/> was calm in the FMA peak and in the memory.</summary>
        public bool CalmInBoth(int block) => Calm(block) && Math.Min(_memory[block].Before, _memory[block].After) >= memoryCalm;

        public int CalmCount => Enumerable.Range(0, Blocks).Count(Calm);
        public int CalmInBothCount => Enumerable.Range(0, Blocks).Count(CalmInBoth);

        /// <summary>The FMA readings as printed, "[before after]" per block.</summary>
        public string Fma => Printed(_fma);
        /// <summary>The memory readings as printed.</summary>
        public string Memory => Printed(_memory);

        private static string Printed(List<(double Before, double After)> edges) =>
            string.Join(" ", edges.Select(e => string.Create(CultureInfo.InvariantCulture, $"[{e.Before:F2} {e.After:F2}]")));
    }

    /// <summary>Both engines' 1-thread side of a summary: Cardinal's steps and run, ORT's nodes and run (every run counts).</summary>
    private sealed record OneThread(List<CardinalStep> Steps, double RunMs, List<OrtNode> OrtNodes, double OrtRunMs);


    /// <summary>
    /// Every 1-thread run and the T-thread runs <paramref name="keepOurs"/> and <paramref name="keepOrt"/> pass (by index;
    /// null: all): the whole runs, per convolution shape where <paramref name="printShapes"/>, and the layers below the
    /// target. Returns an error, or null.
    /// </summary>
    private static string? Summarise(int threads, double minMs, double target, OneThread ones, ProfiledCardinal many, ProfiledOrt ortMany,
        Func<int, bool>? keepOurs, Func<int, bool>? keepOrt, bool printShapes)
    {
        (List<CardinalStep> stepsOne, List<OrtNode> nodesOne, double ortOneMs) = (ones.Steps, ones.OrtNodes, ones.OrtRunMs);
        var (nodesMany, ortManyMs) = ortMany.End(keepOrt);
        List<CardinalStep> stepsMany = many.Steps(keepOurs);
        if (stepsOne.Count != stepsMany.Count || stepsOne.Zip(stepsMany).Any(p => p.First.Name != p.Second.Name))
            return "the 1-thread and the multi-thread plans have different steps; their layers cannot be paired.";
        var ortManyByName = nodesMany.GroupBy(n => n.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        // Cardinal's layers paired across thread counts by position, ORT's by node name, the engines by shape.
        var (pairs, _) = Match(stepsOne, nodesOne);
        var manyOf = stepsOne.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => stepsMany[p.i]);
        var layers = pairs.Select(p => new Layer(p.Ours, manyOf[p.Ours], p.Theirs, p.Theirs is null ? null : ortManyByName.GetValueOrDefault(p.Theirs.Name))).ToList();

        double runOne = ones.RunMs, runMany = many.RunMsOf(keepOurs);
        Console.WriteLine($"Cardinal: {runOne:F2} → {runMany:F2} ms ({Scale(runOne, runMany)}); ONNX Runtime: {ortOneMs:F2} → {ortManyMs:F2} ms ({Scale(ortOneMs, ortManyMs)}); Cardinal / ORT {runOne / ortOneMs:F2} on 1 thread, {runMany / ortManyMs:F2} on {threads}");
        if (printShapes)
        {
            Console.WriteLine();
            Console.WriteLine($"Convolutions by shape (summed over the layers of each shape; worst: the layer of that shape that scales least; ratio: Cardinal / ORT on {threads} threads):");
            Console.WriteLine();
            Console.WriteLine($"| class | conv (Cin→Cout k s in) | n | Cardinal 1 ms | {threads} ms | scaling | worst | ORT 1 ms | {threads} ms | scaling | worst | ratio |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var g in layers.GroupBy(l => (l.One.Class, Key: l.One.Conv!.Value with { Residual = false })).OrderBy(g => Array.IndexOf(Classes, g.Key.Class)))
            {
                var list = g.ToList();
                string residual = list.All(l => l.One.Conv!.Value.Residual) ? " +Add" : list.Any(l => l.One.Conv!.Value.Residual) ? " (+Add)" : "";
                double a1 = list.Sum(l => l.One.Ms), aT = list.Sum(l => l.Many.Ms);
                bool ortAll = list.All(l => l.OrtOne is not null && l.OrtMany is not null);
                double b1 = ortAll ? list.Sum(l => l.OrtOne!.Ms) : 0, bT = ortAll ? list.Sum(l => l.OrtMany!.Ms) : 0;
                string ours = $"{a1:F2} | {aT:F2} | {Scale(a1, aT)} | {list.Min(l => l.OurScaling):F2}";
                string theirs = ortAll ? $"{b1:F2} | {bT:F2} | {Scale(b1, bT)} | {list.Min(l => l.OrtScaling):F2}" : "- | - | - | -";
                Console.WriteLine($"| {g.Key.Class} | {g.Key.Key.Describe()}{residual} | {list.Count} | {ours} | {theirs} | {(ortAll ? $"{aT / bT:F2}" : "-")} |");
            }
        }

        var over = layers.Where(l => l.One.Ms > minMs).ToList();
        var ortOver = layers.Where(l => l.OrtOne is not null && l.OrtMany is not null && l.OrtOne.Ms > minMs).ToList();
        var below = over.Where(l => l.OurScaling < target).OrderBy(l => l.OurScaling).ToList();
        Console.WriteLine();
        Console.WriteLine($"Layers over {minMs:F2} ms on 1 thread scaling below {target:F2}×: Cardinal {below.Count} of {over.Count}, ORT {ortOver.Count(l => l.OrtScaling < target)} of {ortOver.Count} (its own layers over the line).");
        if (below.Count == 0) return null;
        Console.WriteLine();
        Console.WriteLine($"| layer | conv | Cardinal 1 ms | {threads} ms | scaling | ORT's node 1 ms | {threads} ms | scaling |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var l in below)
        {
            string theirs = l.OrtOne is null || l.OrtMany is null ? "- | - | -" : $"{l.OrtOne.Ms:F3} | {l.OrtMany.Ms:F3} | {l.OrtScaling:F2}";
            Console.WriteLine($"| {Trim(l.One.Name, 48)} | {l.One.Conv!.Value.Describe()} | {l.One.Ms:F3} | {l.Many.Ms:F3} | {l.OurScaling:F2} | {theirs} |");
        }
        return null;
    }

    /// <summary>One convolution layer: Cardinal's step on 1 and on T threads, and ORT's node of the same shape on each (null when none).</summary>
    private sealed record Layer(CardinalStep One, CardinalStep Many, OrtNode? OrtOne, OrtNode? OrtMany)
    {
        public double OurScaling => Many.Ms > 0 ? One.Ms / Many.Ms : 0;
        public double OrtScaling => OrtOne is not null && OrtMany is { Ms: > 0 } ? OrtOne.Ms / OrtMany.Ms : double.NaN;
    }

    private static string Scale(double one, double many) => many > 0 ? $"{one / many:F2}×" : "-";

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"ortscaling: {message}");
        return 2;
    }
}
