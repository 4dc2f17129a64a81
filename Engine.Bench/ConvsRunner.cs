using System.Diagnostics;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Testing;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// A quick per-convolution check against the peer (not BenchmarkDotNet): for each ResNet-50 / ResNeXt-50 row of
/// <see cref="ConvCases"/>, the plan Cardinal's backend would choose (<see cref="ConvPlan.Select"/>, best tier)
/// against the row's one-node ONNX model in ONNX Runtime (<see cref="OrtConv"/>), in alternating blocks of runs
/// in one process (as <see cref="CompareRunner"/>). ORT runs twice, alternating too: a plain session timed per
/// run (the convolution plus the NCHWc reorders around it), and a profiled one whose trace gives its
/// convolution node alone (the kernel, as in a model). Prints medians, GFLOP/s, % of the FMA peak measured in
/// the same process, and Cardinal's GFLOP/s as a share of ORT's Conv node ("≥ 90 %" is the target).
/// Usage: convs [--threads 1] [--runs 30] [--filter substring] [--blocked] [--batch N (default: each row's own)]
/// [--tuning Name=value[,…]] [--versus Name=value[,…]] [--residual-apart]
/// (--blocked: Cardinal's blocked direct kernel on NCHWc data, as the layout pass runs it in a model, where the row supports it.)
/// A blocked row with a residual writes its output over the residual's buffer, as the model's executor lets it where the
/// plan allows (<see cref="ConvPlan.OutputOverResidual"/>) and as ORT's Conv node with a Sum input runs (in place over
/// its Sum, here the MaxPool's fresh output): before each run the residual is copied into that buffer, untimed, as the
/// MaxPool writes it before ORT's node. --residual-apart: the output in a buffer of its own (the reading before the
/// thirtieth sitting; one more 4-byte stream per output element than ORT's node pays).
/// --tuning: the blocked plans' <see cref="BlockedTuning"/> as `ab` names it. --versus: a second blocked plan with that
/// tuning, timed in the same alternating blocks (each block: the plan, the versus plan, ORT, ORT profiled), so that a
/// setting reads against its own default and ORT's node in the same minutes; its columns follow the table's.
/// On several threads a last column, host, gives the host's FMA scaling from 1 to T threads around the row (the lower of
/// the readings before and after it), as `ortscaling` reads it around its blocks: this VM's vCPUs at times run as one
/// core, and a row measured then reads near its 1-thread time (the thirtieth sitting's "convs --threads 2" readings).
/// On several threads each engine's block also starts with untimed runs (2 ms at least, left out of the profiled trace)
/// so that its pool threads are awake, and our block waits 1 s after ORT's rather than 200 ms. Rows still read their
/// 1-thread time in some noisy minutes with a calm host column: read a row again before trusting a 2-thread outlier.
/// </summary>
public static class ConvsRunner
{
    public static int Run(string[] args)
    {
        int threads = CompareRunner.Option(args, "--threads", 1), runs = CompareRunner.Option(args, "--runs", 30);
        int f = Array.IndexOf(args, "--filter");
        string filter = f >= 0 && f + 1 < args.Length ? args[f + 1] : "";
        bool blocked = args.Contains("--blocked"), residualApart = args.Contains("--residual-apart");
        string? versusText = CompareRunner.TextOption(args, "--versus");
        BlockedTuning tuning;
        BlockedTuning? versus;
        try { tuning = AbRunner.Parse(CompareRunner.TextOption(args, "--tuning")); versus = versusText is null ? null : AbRunner.Parse(versusText); }
        catch (ArgumentException e) { Console.Error.WriteLine($"convs: {e.Message}"); return 2; }
        if (versusText is not null && !blocked) { Console.Error.WriteLine("convs: --versus compares blocked plans; add --blocked."); return 2; }
        int batch = CompareRunner.Option(args, "--batch", 0);
        var rows = ConvCases.ResNet50Layers.Concat(ConvCases.ResNeXt50Layers).Concat(ConvCases.ResNeXt101Layers).Where(c => c.Name.Contains(filter, StringComparison.Ordinal))
            .Select(c => batch > 0 ? c with { Batch = batch } : c).ToList();
        if (rows.Count == 0) throw new ArgumentException($"No ResNet-50 / ResNeXt-50 row of ConvCases contains \"{filter}\".");

        var platform = CpuPlatform.Default;
        using var parallel = new ParallelRunner(threads);
        double peakBefore = FmaPeak.Best(threads);
        Console.WriteLine($"convs: {rows.Count} rows, {threads} thread(s), median of {runs} runs per engine after a warm-up (ORT 3 runs, Cardinal ≥ 50 runs and 0.5 s), blocks alternating; Cardinal {platform}; ONNX Runtime 1.31.1 one-node models (ORT_ENABLE_ALL)");
        var results = new List<(ConvCase Case, string Algorithm, double Ours, double OrtRun, double OrtNode, string OrtOps, double Versus, double Host)>();
        bool hasHost = threads > 1;
        foreach (var c in rows)
        {
            // On several threads, the host's own FMA scaling before and after the row (the lower of the two): this VM's vCPUs
            // at times run as one core, and a row measured then reads near its 1-thread time (NOTES "Thirty-first sitting").
            double before = hasHost ? FmaPeak.HostScaling(threads) : double.NaN;
            var (@case, algorithm, ours, ortRun, ortNode, ops, other) = Measure(c, platform, parallel, threads, runs,
                blocked && platform.BlockSize > 0 && BlockedDirectPlan.Supports(c.Shape, platform.BlockSize), residualApart, tuning, versus);
            double host = hasHost ? Math.Min(before, FmaPeak.HostScaling(threads)) : double.NaN;
            results.Add((@case, algorithm, ours, ortRun, ortNode, ops, other, host));
            Console.Error.WriteLine($"  {c.Name}: Cardinal {ours:F3} ms, ORT run {ortRun:F3} ms, ORT node {ortNode:F3} ms" + (hasHost ? $", host {host:F2}×" : ""));
        }
        double peak = Math.Max(peakBefore, FmaPeak.Best(threads));
        Console.WriteLine($"FMA peak measured now (the best 10 ms window of 40 before and 40 after): {peak:F0} GFLOP/s ({threads} thread(s), {FmaPeak.VectorWidth} FMA)");
        Console.WriteLine("ORT run: the one-node model's Run (its reorders included); ORT Conv: its convolution node alone (profiled session);");
        Console.WriteLine(blocked && !residualApart ? "Rows with +Add: both write the output over the residual's buffer (ours where the plan allows it, as in a model; ORT's Sum in place)." : "Rows with +Add: Cardinal's output in a buffer of its own (ORT's Sum in place).");
        Console.WriteLine("of ORT: Cardinal's GFLOP/s over ORT's Conv node's (= ORT Conv ms / Cardinal ms); ratio: Cardinal ms / ORT Conv ms.");
        Console.WriteLine();
        bool hasVersus = versus is not null;
        if (hasVersus) Console.WriteLine($"versus: {versusText} (its ms; versus/ours: its ms over the plan's; its ratio: its ms over ORT's Conv node).");
        if (hasHost) Console.WriteLine($"host: the host's FMA scaling from 1 to {threads} threads, the lower of the readings before and after the row; under {FmaPeak.CalmScaling:F1}× the row ran while the host gave fewer cores (read it again).");
        Console.WriteLine("| row | conv | Cardinal algorithm | Cardinal ms | GFLOP/s | peak | ORT run ms | ORT Conv ms | ORT op | GFLOP/s | peak | of ORT | ratio |" + (hasVersus ? " versus ms | versus/ours | its ratio |" : "") + (hasHost ? " host |" : ""));
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|" + (hasVersus ? "---|---|---|" : "") + (hasHost ? "---|" : ""));
        foreach (var (c, algorithm, ours, ortRun, ortNode, ops, other, hostScaling) in results)
        {
            double a = c.Flops / ours / 1e6, b = c.Flops / ortNode / 1e6;
            var w = c.Window;
            string conv = $"{c.Channels}→{c.OutChannels} {w.KH}×{w.KW}{(c.Group > 1 ? $" g{c.Group}" : "")} s{w.SH} {w.InH}×{w.InW}{c.Epilogue}";
            Console.WriteLine($"| {c.Name} | {conv} | {algorithm} | {ours:F3} | {a:F1} | {a / peak:P0} | {ortRun:F3} | {ortNode:F3} | {ops} | {b:F1} | {b / peak:P0} | {ortNode / ours:P0} | {ours / ortNode:F2} |"
                + (hasVersus ? (double.IsNaN(other) ? " - | - | - |" : $" {other:F3} | {other / ours:F3} | {other / ortNode:F2} |") : "")
                + (hasHost ? $" {hostScaling:F2}{(hostScaling < FmaPeak.CalmScaling ? " (not calm)" : "")} |" : ""));
        }
        double sumOurs = results.Sum(r => r.Ours), sumRun = results.Sum(r => r.OrtRun), sumNode = results.Sum(r => r.OrtNode);
        Console.WriteLine($"| all rows once | | | {sumOurs:F2} | | | {sumRun:F2} | {sumNode:F2} | | | | {sumNode / sumOurs:P0} | {sumOurs / sumNode:F2} |");
        int below = results.Count(r => r.OrtNode / r.Ours < 0.9);
        Console.WriteLine();
        Console.Out.Flush();
        Console.WriteLine($"{below} of {results.Count} rows below 90 % of ORT's Conv node GFLOP/s."
            + (hasHost ? $" {results.Count(r => r.Host < FmaPeak.CalmScaling)} row(s) ran while the host scaled under {FmaPeak.CalmScaling:F1}×." : ""));
        return 0;
    }

    /// <summary>The pause before our block, which follows ORT's profiled block, on several threads (see Measure).</summary>
    private const int PauseAfterOrtMs = 1000;

    /// <summary>Untimed runs before each block on several threads last at least this long (<c>Wake</c> in Measure).</summary>
    private const double WakeMs = 2;

    private static (ConvCase, string, double, double, double, string, double) Measure(ConvCase c, CpuPlatform platform, ParallelRunner parallel, int threads, int runs, bool blocked, bool residualApart,
        BlockedTuning tuning, BlockedTuning? versus)
    {
        ConvShape shape = c.Shape;
        var random = new Random(1);
        float[] Values(long n) { var v = new float[n]; for (long i = 0; i < n; i++) v[i] = (float)(random.NextDouble() * 2 - 1); return v; }
        float[] x = Values(shape.InputLength), w = Values(shape.WeightLength), bias = c.Bias ? Values(shape.OutChannels) : [];
        float[] residual = shape.Epilogue.Residual ? Values(shape.OutputLength) : [];
        float[] y = new float[shape.OutputLength], yOrt = new float[shape.OutputLength], yProfiled = new float[shape.OutputLength];

        // Blocked: the stem as a model runs it (the NCHW image folded), every other row on NCHWc data.
        ConvPlan plan = !blocked ? ConvPlan.Select(shape, Tensor.FromArray(w, w.Length), platform, parallel)
            : NchwStemPlan.Supports(shape, platform) ? new NchwStemPlan(shape, Tensor.FromArray(w, w.Length), platform, parallel)
            : FoldedStemPlan.Supports(shape, platform.BlockSize) ? new FoldedStemPlan(shape, Tensor.FromArray(w, w.Length), platform, parallel)
            : new BlockedDirectPlan(shape, Tensor.FromArray(w, w.Length), platform, parallel, null, tuning);
        // The versus plan: the same kernel class with the other tuning (the stems take none).
        ConvPlan? other = versus is { } v && plan is BlockedDirectPlan ? new BlockedDirectPlan(shape, Tensor.FromArray(w, w.Length), platform, parallel, null, v) : null;
        var workspace = new WorkspaceBuffer(Math.Max(plan.WorkspaceBytes, other?.WorkspaceBytes ?? 0));
        // Blocked: x, the residual and y in NCHWc, prepared once (a model's layout pass keeps them so between layers).
        float[] xIn = x, residualIn = residual, yOut = y;
        if (plan is FoldedStemPlan stem) yOut = new float[stem.BlockedOutputLength];
        if (plan is NchwStemPlan direct) yOut = new float[direct.BlockedOutputLength];
        if (plan is BlockedDirectPlan b)
        {
            xIn = new float[b.BlockedInputLength]; yOut = new float[b.BlockedOutputLength];
            Reorder.ToBlocked(x, xIn, shape.Batch, shape.Channels, shape.Window.InSize, b.Block, parallel);
            if (shape.Epilogue.Residual) { residualIn = new float[b.BlockedOutputLength]; Reorder.ToBlocked(residual, residualIn, shape.Batch, shape.OutChannels, shape.Window.OutSize, b.Block, parallel); }
        }
        // Over the residual (each plan as the executor would run it): each run's y is a fresh copy of the residual (copied
        // untimed, see the class doc).
        double TimeOurs(ConvPlan p)
        {
            bool overResidual = p is BlockedDirectPlan && shape.Epilogue.Residual && p.OutputOverResidual && !residualApart;
            if (overResidual) residualIn.CopyTo(yOut);
            float[] r = overResidual ? yOut : residualIn;
            long t0 = Stopwatch.GetTimestamp();
            p.Run(xIn, w, bias, r, yOut, workspace.Workspace);
            return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        DirectoryInfo folder = Directory.CreateTempSubdirectory("cardinal-convs-");
        try
        {
            using var ort = new OrtConv(c, x, w, bias, residual, yOrt, threads);
            using var profiled = new OrtConv(c, x, w, bias, residual, yProfiled, threads, Path.Combine(folder.FullName, "ort"));
            // Warm-up: ORT's three runs (skipped in its trace); Cardinal's kernels until the JIT has promoted them
            // (tiered compilation: 30 calls, then a background recompile): 50 calls and at least half a second.
            const int warmUp = 3;
            for (int i = 0; i < warmUp; i++) { ort.Run(); profiled.Run(); }
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < 50 || warm.ElapsedMilliseconds < 500; i++) { TimeOurs(plan); if (other is not null) TimeOurs(other); }
            GC.KeepAlive(workspace);

            var ours = new List<double>(); var theirs = new List<double>(); var others = new List<double>();
            int perBlock = Math.Max(1, runs / 4);
            // On several threads each block first runs untimed until 2 ms have passed (at least once): after the pause the
            // engine's pool threads sleep, and this VM wakes an idle vCPU slowly; a block of a few half-millisecond runs
            // had read its 1-thread time whenever the worker came late (both engines alike; NOTES "Thirty-first sitting").
            // The profiled session's wake runs are left out of its trace's medians.
            var profiledWake = new List<bool>();
            void Wake(Action run, List<bool>? flags)
            {
                if (threads == 1) return;
                long t0 = Stopwatch.GetTimestamp();
                do { run(); flags?.Add(true); } while (Stopwatch.GetElapsedTime(t0).TotalMilliseconds < WakeMs);
            }
            for (int done = 0; done < runs; done += perBlock)
            {
                int count = Math.Min(perBlock, runs - done);
                // Pauses between blocks: ORT's pool threads spin after its runs and would hold the core our second
                // thread needs (without them Cardinal's 2-thread rows read as its 1-thread times). Our block follows
                // ORT's profiled one: on several threads 200 ms was not always enough (ResNet-50's layer1 256 → 64 on 2
                // threads read its 1-thread time in 2 of 6 runs after 200 ms, in none of 6 after 1 s).
                Thread.Sleep(threads > 1 ? PauseAfterOrtMs : CompareRunner.BlockPauseMs);
                Wake(() => TimeOurs(plan), null);
                for (int i = 0; i < count; i++) ours.Add(TimeOurs(plan));
                if (other is not null)
                {
                    Thread.Sleep(CompareRunner.BlockPauseMs);
                    Wake(() => TimeOurs(other), null);
                    for (int i = 0; i < count; i++) others.Add(TimeOurs(other));
                }
                Thread.Sleep(CompareRunner.BlockPauseMs);
                Wake(ort.Run, null);
                for (int i = 0; i < count; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    ort.Run();
                    theirs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
                Thread.Sleep(CompareRunner.BlockPauseMs);
                Wake(profiled.Run, profiledWake);
                for (int i = 0; i < count; i++) { profiled.Run(); profiledWake.Add(false); }
            }
            GC.KeepAlive(workspace);

            // Each plan's answers against ORT's, from a run of its own.
            void Check(string who)
            {
                if (plan is BlockedDirectPlan or FoldedStemPlan or NchwStemPlan) Reorder.FromBlocked(yOut, y, shape.Batch, shape.OutChannels, BlockedLayout.PaddedChannels(shape.OutChannels, platform.BlockSize), shape.Window.OutSize, platform.BlockSize, parallel);
                double maxDiff = 0, maxRef = 0;
                for (int i = 0; i < y.Length; i++) { maxDiff = Math.Max(maxDiff, Math.Abs(y[i] - yOrt[i])); maxRef = Math.Max(maxRef, Math.Abs(yOrt[i])); }
                if (maxDiff > 1e-3 * Math.Max(1, maxRef)) throw new InvalidOperationException($"{c.Name}: {who} and ORT disagree by {maxDiff:G3} (max |ORT| {maxRef:G3}).");
            }
            if (other is not null) TimeOurs(plan); // the versus plan ran after it in every block
            Check("Cardinal");
            if (other is not null) { TimeOurs(other); Check("Cardinal (versus)"); }

            string trace = profiled.EndProfiling();
            if (!Path.IsPathRooted(trace)) trace = Path.Combine(folder.FullName, Path.GetFileName(trace));
            var (nodes, _) = OrtProfileRunner.ParseTrace(trace, warmUp, run => run < profiledWake.Count && !profiledWake[run]);
            var conv = nodes.Where(n => n.Op is "Conv" or "FusedConv").ToList();
            if (conv.Count != 1) throw new InvalidOperationException($"{c.Name}: ORT ran {string.Join(", ", nodes.Select(n => n.Op))}; expected one convolution node.");
            string ops = string.Join(" ", nodes.Select(n => n.Op == conv[0].Op && n.Name.EndsWith("_nchwc", StringComparison.Ordinal) ? $"{n.Op}(nchwc)" : n.Op));
            return (c, plan.Description, Stats.Median(ours), Stats.Median(theirs), conv[0].Ms, ops, others.Count > 0 ? Stats.Median(others) : double.NaN);
        }
        finally { folder.Delete(recursive: true); }
    }

}
