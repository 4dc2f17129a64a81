using System.Diagnostics;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Testing;

namespace Cardinal.Bench;

/// <summary>
/// `blockedconv [--threads T] [--runs R] [--rounds K] [--isa avx2] [--only NAME] [--cold | --evict-mib N] [--resnext | --resnext101] [--versus Name=value]`: every ResNet-50 row of
/// <see cref="ConvCases"/> at its model size, <see cref="BlockedDirectPlan"/> (blocked input, output and
/// residual prepared once) against the NCHW plan <see cref="ConvPlan.Select"/> picks, alternating in blocks of
/// R runs, K rounds; per layer the medians in ms, GFLOP/s and % of the FMA peak measured in the same process.
/// --resnext: ResNeXt-50's rows instead, those the blocked kernel runs (groups of 16 and 32 channels among them);
/// --resnext101: ResNeXt-101 32x8d's rows: its grouped 3×3s (groups of 16, 32 and 64 channels) and its 1×1s of as many channels out as in.
/// --cold streams 64 MiB between runs (untimed), so that weights, input and output come from memory as in a model
/// whose weights never fit L3; --evict-mib N streams N MiB instead (where a layer's data leaves the caches). --versus Name=value[,…]: the left columns run the blocked kernel with that
/// <see cref="BlockedTuning"/> (as `ab` names them) instead of the NCHW plan: one plan choice A/B on each layer alone.
/// </summary>
internal static class BlockedConvRunner
{
    public static int Run(string[] args)
    {
        int threads = CompareRunner.Option(args, "--threads", 1), runs = CompareRunner.Option(args, "--runs", 10), rounds = CompareRunner.Option(args, "--rounds", 3);
        string? only = CompareRunner.TextOption(args, "--only"), isaText = CompareRunner.TextOption(args, "--isa"), versus = CompareRunner.TextOption(args, "--versus");
        BlockedTuning? other;
        try { other = versus is null ? null : AbRunner.Parse(versus); }
        catch (ArgumentException e) { Console.Error.WriteLine($"blockedconv: {e.Message}"); return 2; }
        int evictMiB = CompareRunner.Option(args, "--evict-mib", args.Contains("--cold") ? 64 : 0);
        float[] evict = new float[(long)evictMiB << 18];
        CpuPlatform platform = isaText is null ? CpuPlatform.Default : CpuPlatform.Create(Enum.Parse<CpuIsa>(isaText, ignoreCase: true));
        if (platform.BlockSize == 0) { Console.Error.WriteLine($"{platform.Isa} has no blocked kernels."); return 1; }
        using var parallel = new ParallelRunner(threads);
        // The best of three: on a shared VM one measurement can land on a busy moment and understate the peak.
        double peak = Enumerable.Range(0, 3).Max(_ => FmaPeak.Measure(threads, 400));
        Console.WriteLine($"blockedconv: {platform.Isa}, block {platform.BlockSize}, {threads} thread(s), {(evict.Length > 0 ? "cold" : "warm")} caches, {runs} runs × {rounds} rounds alternating; FMA peak {peak:F1} GFLOP/s ({FmaPeak.VectorWidth})");
        if (other is { } o) Console.WriteLine($"left: the blocked kernel with {o}");
        Console.WriteLine($"| layer | {(other is null ? "NCHW plan | NCHW ms" : "left plan | left ms")} | GFLOP/s | % peak | blocked ms | GFLOP/s | % peak | speed-up |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        double totalNchw = 0, totalBlocked = 0;
        IEnumerable<ConvCase> cases = args.Contains("--resnext101")
            ? ConvCases.ResNeXt101Layers.Where(c => BlockedDirectPlan.Supports(c.Shape, platform.BlockSize))
            : args.Contains("--resnext")
            ? ConvCases.ResNeXt50Layers.Where(c => BlockedDirectPlan.Supports(c.Shape, platform.BlockSize))
            : ConvCases.ResNet50Layers;
        foreach (ConvCase c in cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.Ordinal)) continue;
            ConvShape shape = c.Shape;
            var random = new Random(c.Name.Length);
            float[] weight = Fill(random, shape.WeightLength), bias = Fill(random, shape.OutChannels);
            var tensor = Tensor.FromArray(weight, weight.Length);
            ConvPlan nchw = other is null ? ConvPlan.Select(shape, tensor, platform, parallel) : new BlockedDirectPlan(shape, tensor, platform, parallel, null, other);
            var blocked = new BlockedDirectPlan(shape, tensor, platform, parallel);
            var workspace = new WorkspaceBuffer(nchw.WorkspaceBytes);
            var blockedWorkspace = new WorkspaceBuffer(blocked.WorkspaceBytes); // the zero-padded input copy, where the plan makes one
            float[] x = Fill(random, shape.InputLength), y = new float[shape.OutputLength];
            float[] residual = shape.Epilogue.Residual ? Fill(random, shape.OutputLength) : [];
            float[] xb = Fill(random, blocked.BlockedInputLength), yb = new float[blocked.BlockedOutputLength];
            float[] rb = shape.Epilogue.Residual ? Fill(random, blocked.BlockedOutputLength) : [];

            var nchwMs = new List<double>();
            var blockedMs = new List<double>();
            void RunNchw()
            {
                if (other is null) nchw.Run(x, weight, bias, residual, y, workspace.Workspace);
                else nchw.Run(xb, default, bias, rb, yb, workspace.Workspace);
            }
            void RunBlocked() => blocked.Run(xb, default, bias, rb, yb, blockedWorkspace.Workspace);
            RunNchw(); RunBlocked(); RunNchw(); RunBlocked();
            for (int round = 0; round < rounds; round++)
            {
                Time(RunNchw, runs, nchwMs, evict);
                Time(RunBlocked, runs, blockedMs, evict);
            }
            double a = Stats.Median(nchwMs), b = Stats.Median(blockedMs), gflop = shape.Flops / 1e9;
            totalNchw += a; totalBlocked += b;
            Console.WriteLine($"| {c.Name} | {nchw.Algorithm} | {a:F3} | {gflop / a * 1e3:F0} | {gflop / a * 1e3 / peak:P0} | {b:F3} | {gflop / b * 1e3:F0} | {gflop / b * 1e3 / peak:P0} | {a / b:F2} |");
        }
        Console.WriteLine($"| sum of distinct shapes | | {totalNchw:F2} | | | {totalBlocked:F2} | | | {totalNchw / totalBlocked:F2} |");
        return 0;
    }

    private static void Time(Action run, int runs, List<double> into, float[] evict)
    {
        for (int i = 0; i < runs; i++)
        {
            Evict(evict);
            long start = Stopwatch.GetTimestamp();
            run();
            into.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private static float s_sink;

    /// <summary>Touches every cache line of <paramref name="buffer"/> (nothing when empty), pushing the layer's data out of the caches.</summary>
    private static void Evict(float[] buffer)
    {
        float sum = 0;
        for (int i = 0; i < buffer.Length; i += 16) { buffer[i] += 1; sum += buffer[i]; }
        s_sink = sum;
    }

    /// <summary>Uniform values in [-1, 1) (the `ceiling` runner's layers too).</summary>
    internal static float[] Fill(Random random, long length)
    {
        var a = new float[length];
        for (long i = 0; i < length; i++) a[i] = (float)(random.NextDouble() * 2 - 1);
        return a;
    }
}
