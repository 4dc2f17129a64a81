using System.Text.Json;

namespace Cardinal.Bench;

/// <summary>
/// ONNX Runtime's own per-node profile of a model, next to Cardinal's per-step profile of the same model, in
/// one process: ORT runs with <c>SessionOptions.EnableProfiling</c> (its JSON trace goes to a temp folder and is
/// parsed here), Cardinal through <see cref="KernelExecutor.Profile"/>, in alternating blocks of runs; medians
/// per node over the runs after the warm-up. Prints
/// 1. ORT's nodes as it ran them (its fused and NCHWc ops: Conv with an "_nchwc" name, FusedConv, ReorderInput/Output),
///    with the output shape, median ms, GFLOP/s (from the shapes the trace records) and % of the FMA peak
///    measured in the same process;
/// 2. the convolutions of both engines matched by shape (Cin→Cout, kernel, stride, input plane, group, fused
///    residual), the i-th of a shape in one engine with the i-th in the other, summed per distinct shape;
/// 3. the totals per class (stem, 1×1, downsample, 3×3 s1, 3×3 s2, grouped 3×3, pooling, reorders, other).
/// Usage: ortprofile MODEL.onnx [--threads 1] [--runs 20] [--batch 1] [--nodes 0|1]
/// </summary>
public static class OrtProfileRunner
{
    
    /// <summary>What identifies a 2-D convolution across the two engines.</summary>
    internal readonly record struct ConvKey(int Cin, int Cout, int Group, int KH, int KW, int Stride, int InH, int InW, bool Residual)
    {
        public string Describe() =>
            $"{Cin}→{Cout} {KH}×{KW}{(Group > 1 ? $" g{Group}" : "")} s{Stride} {InH}×{InW}{(Residual ? " +Add" : "")}";

        public string Class(string name) =>
            Cin < 8 || KH >= 7 ? "stem"
            : Group > 1 ? (KH == 3 && KW == 3 ? "grouped 3×3" : "grouped other")
            : KH == 1 && KW == 1 ? (Stride > 1 || name.Contains("downsample", StringComparison.OrdinalIgnoreCase) ? "downsample" : "1×1")
            : KH == 3 && KW == 3 ? (Stride == 1 ? "3×3 s1" : "3×3 s2")
            : "other conv";
    }

    private static string ClassOf(string op) =>
        op.Contains("Pool", StringComparison.Ordinal) ? "pooling" : op.StartsWith("Reorder", StringComparison.Ordinal) ? "reorders" : "other";

    internal static readonly string[] Classes = ["stem", "1×1", "downsample", "3×3 s1", "3×3 s2", "grouped 3×3", "grouped other", "other conv", "pooling", "reorders", "other"];

    internal sealed record OrtNode(string Name, string Op, string Provider, int[][] Inputs, int[] Output, double Ms, long Flops, ConvKey? Conv)
    {
        public string Class => Conv is { } key ? key.Class(Name) : ClassOf(Op);
    }

    internal sealed record CardinalStep(string Name, string Op, string Algorithm, int[] Output, double Ms, long Flops, ConvKey? Conv)
    {
        public string Class => Conv is { } key ? key.Class(Name) : ClassOf(Op);
    }

    public static int Run(string[] args)
    {
        string model = args.Length > 0 && !args[0].StartsWith("--") ? args[0]
            : throw new ArgumentException("ortprofile MODEL.onnx [--threads T] [--runs R] [--batch B] [--nodes 0|1]");
        int threads = CompareRunner.Option(args, "--threads", 1), runs = CompareRunner.Option(args, "--runs", 20);
        int batch = CompareRunner.Option(args, "--batch", 1);
        bool printNodes = CompareRunner.Option(args, "--nodes", 1) != 0;

        // Cardinal: the fused plan, profiled step by step; ONNX Runtime as `compare` runs it, with its profiler on.
        using var cardinal = new ProfiledCardinal(model, threads, batch);
        using var ort = new ProfiledOrt(model, threads, cardinal.InputName, cardinal.Data, cardinal.Dims);
        double peakBefore = FmaPeak.Best(threads);
        // Warm-up: ORT's first runs are skipped in its trace; Cardinal runs until the JIT has promoted its kernels.
        ort.WarmUp();
        cardinal.WarmUp();
        // Blocks of runs, alternating engines (see CompareRunner): the machine's noise hits both.
        int perBlock = Math.Max(1, runs / 4);
        for (int done = 0; done < runs; done += perBlock)
        {
            int count = Math.Min(perBlock, runs - done);
            // The pause before each block lets the other engine's spinning workers go to sleep (CompareRunner):
            // without it Cardinal's 2-thread ResNeXt-50 profiled at 31 ms against 21 ms in compare.
            Thread.Sleep(CompareRunner.BlockPauseMs);
            for (int i = 0; i < count; i++) cardinal.Profile();
            Thread.Sleep(CompareRunner.BlockPauseMs);
            for (int i = 0; i < count; i++) ort.Run();
        }
        var (nodes, ortRunMs) = ort.End();
        double peak = Math.Max(peakBefore, FmaPeak.Best(threads));
        Print(model, cardinal.Dims, threads, runs, cardinal.Description, peak, nodes, ortRunMs, cardinal.Steps(), cardinal.RunMs, printNodes);
        return 0;
    }

    /// <summary>
    /// ORT 1.31.1's trace: a JSON array of events; "Session" events named "model_run" span each run, "Node"
    /// events named "&lt;node&gt;_kernel_time" carry dur (µs) and args.op_name, args.provider,
    /// args.input_type_shape / output_type_shape ([{"float":[dims]}, …]). Runs are told apart by the
    /// model_run spans; the first <paramref name="skip"/> are the warm-up. <paramref name="keep"/>: which of the runs after
    /// the warm-up count (by their index in time order, from 0); null: every one.
    /// </summary>
    /// <summary>The trace's runs (start and length in µs) in order, the first <paramref name="skip"/> left out.</summary>
    internal static List<(long Ts, long Dur)> RunSpans(IEnumerable<JsonElement> events, int skip) =>
        events.Where(e => e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Ts: e.GetProperty("ts").GetInt64(), Dur: e.GetProperty("dur").GetInt64())).OrderBy(s => s.Ts).Skip(skip).ToList();

    internal static (List<OrtNode> Nodes, double RunMs) ParseTrace(string path, int skip, Func<int, bool>? keep = null)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var events = doc.RootElement.EnumerateArray().ToList();
        var spans = RunSpans(events, skip).Where((_, run) => keep is null || keep(run)).ToList();
        int RunOf(long ts) => spans.FindIndex(s => ts >= s.Ts && ts <= s.Ts + s.Dur);

        var durations = new Dictionary<string, List<double>>();
        var first = new Dictionary<string, JsonElement>();
        var order = new List<string>();
        foreach (var e in events)
        {
            if (e.GetProperty("cat").GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString()!;
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal) || RunOf(e.GetProperty("ts").GetInt64()) < 0) continue;
            name = name[..^"_kernel_time".Length];
            if (!durations.TryGetValue(name, out var list))
            {
                durations[name] = list = [];
                first[name] = e.GetProperty("args");
                order.Add(name);
            }
            list.Add(e.GetProperty("dur").GetInt64() / 1000.0);
        }

        var nodes = order.Select(name =>
        {
            JsonElement a = first[name];
            string op = a.TryGetProperty("op_name", out var o) ? o.GetString() ?? "" : "";
            string provider = a.TryGetProperty("provider", out var p) ? p.GetString() ?? "" : "";
            int[][] inputs = Shapes(a, "input_type_shape"), outputs = Shapes(a, "output_type_shape");
            int[] y = outputs.Length > 0 ? outputs[0] : [];
            long flops = 0;
            ConvKey? key = null;
            if (op is "Conv" or "FusedConv" && inputs.Length >= 2 && inputs[1].Length >= 3 && y.Length >= 3)
            {
                int[] x = inputs[0], w = inputs[1];
                flops = 2L * w[1] * w.Skip(2).Aggregate(1L, (m, d) => m * d) * y.Aggregate(1L, (m, d) => m * d);
                if (w.Length == 4 && x.Length == 4)
                {
                    // The trace has no attributes: the stride is the input/output plane ratio ("same"-padded windows).
                    int stride = (int)Math.Round((double)x[2] / y[2]);
                    bool residual = inputs.Length >= 4 && inputs[3].Length > 0;
                    key = new ConvKey(x[1], w[0], x[1] / w[1], w[2], w[3], stride, x[2], x[3], residual);
                }
            }
            else if (op is "Gemm" or "MatMul" && inputs.Length >= 2 && inputs[0].Length == 2 && y.Length == 2)
                flops = 2L * y[0] * y[1] * inputs[0][1];
            return new OrtNode(name, op, provider, inputs, y, Stats.Median(durations[name], whenEmpty: 0), flops, key);
        }).ToList();
        return (nodes, Stats.Median(spans.Select(s => s.Dur / 1000.0), whenEmpty: 0));
    }

    private static int[][] Shapes(JsonElement args, string property)
    {
        if (!args.TryGetProperty(property, out var list) || list.ValueKind != JsonValueKind.Array) return [];
        return list.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.Object && t.EnumerateObject().FirstOrDefault() is { Value.ValueKind: JsonValueKind.Array } p
            ? p.Value.EnumerateArray().Select(d => d.GetInt32()).ToArray() : []).ToArray();
    }

    private static void Print(string model, int[] dims, int threads, int runs, string backend, double peak,
        List<OrtNode> nodes, double ortRunMs, List<CardinalStep> steps, double cardinalRunMs, bool printNodes)
    {
        string Rate(long flops, double ms) => flops > 0 && ms > 0 ? $"{flops / ms / 1e6,7:F1} {flops / ms / 1e6 / peak,4:P0}" : $"{"-",7} {"-",4}";
        string name = $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(model)))}/{Path.GetFileName(model)}";
        Console.WriteLine($"{name}: batch {dims[0]}, {threads} thread(s), median of {runs} runs after a warm-up (ORT {ProfiledOrt.WarmUpRuns} runs, Cardinal ≥ 1 s), blocks alternating; {backend}");
        Console.WriteLine($"FMA peak measured now (the best 10 ms window of 40 before and 40 after the runs): {peak:F0} GFLOP/s ({threads} thread(s), {FmaPeak.VectorWidth} FMA)");
        Console.WriteLine($"ONNX Runtime 1.31.1 (profiling on): model_run median {ortRunMs:F2} ms, sum of node medians {nodes.Sum(n => n.Ms):F2} ms, {nodes.Count} nodes");
        Console.WriteLine($"Cardinal (profiling on): run median {cardinalRunMs:F2} ms, sum of step medians {steps.Sum(s => s.Ms):F2} ms, {steps.Count} steps");

        if (printNodes)
        {
            Console.WriteLine();
            Console.WriteLine("ONNX Runtime's nodes, as it ran them:");
            Console.WriteLine($"{"node",-58} {"op",-14} {"output",-18} {"ms",7} {"GFLOP/s",7} {"peak",4}");
            foreach (var n in nodes)
                Console.WriteLine($"{Trim(n.Name, 58),-58} {Trim(n.Op + (n.Provider is "CPUExecutionProvider" or "" ? "" : "@" + n.Provider), 14),-14} {Tensors.TensorShape.Format(n.Output),-18} {n.Ms,7:F3} {Rate(n.Flops, n.Ms)}");
        }

        var (pairs, unmatched) = Match(steps, nodes);

        Console.WriteLine();
        Console.WriteLine("Convolutions matched by shape (summed over the layers of each class and shape; +Add: the residual is fused there, (+Add): in some of them; ratio = Cardinal ms / ORT ms):");
        Console.WriteLine();
        Console.WriteLine("| class | conv (Cin→Cout k s in) | n | Cardinal ms | algorithm | GFLOP/s | peak | ORT ms | ORT op | GFLOP/s | peak | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var g in pairs.GroupBy(p => (p.Ours.Class, Key: p.Ours.Conv!.Value with { Residual = false })).OrderBy(g => Array.IndexOf(Classes, g.Key.Class)))
        {
            var first = g.First();
            string residual = g.All(p => p.Ours.Conv!.Value.Residual) ? " +Add" : g.Any(p => p.Ours.Conv!.Value.Residual) ? " (+Add)" : "";
            string ortResidual = g.All(p => p.Theirs?.Conv?.Residual == true) ? " +Add" : g.Any(p => p.Theirs?.Conv?.Residual == true) ? " (+Add)" : "";
            double ours = g.Sum(p => p.Ours.Ms);
            long flops = g.Sum(p => p.Ours.Flops);
            var matched = g.Where(p => p.Theirs is not null).ToList();
            double theirs = matched.Sum(p => p.Theirs!.Ms);
            string ortOp = matched.Count == 0 ? "-" : string.Join("/", matched.Select(p => p.Theirs!.Op + (p.Theirs.Name.EndsWith("_nchwc", StringComparison.Ordinal) ? " nchwc" : "")).Distinct());
            string ratio = matched.Count == g.Count() ? $"{ours / theirs:F2}" : matched.Count == 0 ? "-" : $"({matched.Count}/{g.Count()} matched)";
            string[] ourRate = Rate(flops, ours).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] theirRate = matched.Count == g.Count() ? Rate(flops, theirs).Split(' ', StringSplitOptions.RemoveEmptyEntries) : ["-", "-"];
            Console.WriteLine($"| {first.Ours.Class} | {g.Key.Key.Describe()}{residual} | {g.Count()} | {ours:F2} | {Trim(first.Ours.Algorithm, 40)} | {ourRate[0]} | {ourRate[1]} | {(matched.Count > 0 ? $"{theirs:F2}" : "-")} | {ortOp}{ortResidual} | {theirRate[0]} | {theirRate[1]} | {ratio} |");
        }
        foreach (var n in unmatched)
            Console.WriteLine($"| {n.Class} | {n.Conv!.Value.Describe()} | 1 | - | (no Cardinal step of this shape) | - | - | {n.Ms:F2} | {n.Op} | {Rate(n.Flops, n.Ms).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]} | - | - |");

        Console.WriteLine();
        Console.WriteLine("Totals per class (every step and node, convolutions or not):");
        Console.WriteLine();
        Console.WriteLine("| class | Cardinal steps | Cardinal ms | GFLOP/s | peak | ORT nodes | ORT ms | GFLOP/s | peak | Cardinal − ORT ms | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (string c in Classes.Append("total"))
        {
            var ours = steps.Where(s => c == "total" || s.Class == c).ToList();
            var theirs = nodes.Where(n => c == "total" || n.Class == c).ToList();
            if (ours.Count == 0 && theirs.Count == 0) continue;
            double a = ours.Sum(s => s.Ms), b = theirs.Sum(n => n.Ms);
            string[] ra = Rate(ours.Sum(s => s.Flops), a).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] rb = Rate(theirs.Sum(n => n.Flops), b).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Console.WriteLine($"| {c} | {ours.Count} | {a:F2} | {ra[0]} | {ra[1]} | {theirs.Count} | {b:F2} | {rb[0]} | {rb[1]} | {a - b:+0.00;-0.00} | {(a > 0 && b > 0 ? $"{a / b:F2}" : "-")} |");
        }
    }

    /// <summary>
    /// Matches convolutions: the i-th node of a shape in ORT with the i-th step of that shape in Cardinal. The two
    /// engines may fuse a block's residual Add into different convolutions (Cardinal into the downsample, ORT
    /// into conv3, in a stage's first block), so a second pass matches shapes regardless of the residual;
    /// each pass prefers the same class (a downsample with a downsample). Returns every convolution step with its
    /// node (null when none) and ORT's convolution nodes left over.
    /// </summary>
    internal static (List<(CardinalStep Ours, OrtNode? Theirs)> Pairs, List<OrtNode> Unmatched) Match(List<CardinalStep> steps, List<OrtNode> nodes)
    {
        var pairs = steps.Where(s => s.Conv is not null).Select(s => (Ours: s, Theirs: (OrtNode?)null)).ToList();
        var free = nodes.Where(n => n.Conv is not null).ToList();
        Func<CardinalStep, OrtNode, bool>[] passes =
        [
            (s, n) => s.Conv == n.Conv && s.Class == n.Class,
            (s, n) => s.Conv!.Value with { Residual = false } == n.Conv!.Value with { Residual = false } && s.Class == n.Class,
            (s, n) => s.Conv == n.Conv,
            (s, n) => s.Conv!.Value with { Residual = false } == n.Conv!.Value with { Residual = false },
        ];
        foreach (var match in passes)
            for (int i = 0; i < pairs.Count; i++)
            {
                if (pairs[i].Theirs is not null) continue;
                int j = free.FindIndex(n => match(pairs[i].Ours, n));
                if (j < 0) continue;
                pairs[i] = (pairs[i].Ours, free[j]);
                free.RemoveAt(j);
            }
        return (pairs, free);
    }

    internal static string Trim(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
