using System.Diagnostics;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Winograd;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Testing;

namespace Cardinal.Bench;

/// <summary>
/// `winograd [--threads T] [--batch N] [--runs R] [--rounds K] [--isa avx2] [--cold] [--grouped] [--only NAME]`: the stride-1 3×3 shapes of
/// the zoo (ResNet-18/34/50/101/152 share the four C = M shapes at 56, 28, 14 and 7; Wide ResNet-50-2 doubles the
/// channels; ResNeXt's grouped ones of whole blocks), the direct blocked kernel against Winograd F(4×4) and F(2×2), alternating in blocks of R runs, K
/// rounds: medians in ms, direct-equivalent GFLOP/s (the direct FLOP count over the time, so the columns compare),
/// % of the FMA peak measured in the same process, and each variant's max |error| against float64 relative to the
/// output's magnitude, on ReLU-positive inputs. This is the table <see cref="WinogradSelection"/> cites.
/// </summary>
internal static class WinogradRunner
{
    private static readonly (string Name, int Channels, int Side, int Group)[] Shapes =
    [
        ("3x3.64@56", 64, 56, 1), ("3x3.128@28", 128, 28, 1), ("3x3.256@14", 256, 14, 1), ("3x3.512@7", 512, 7, 1),
        ("wrn.3x3.128@56", 128, 56, 1), ("wrn.3x3.256@28", 256, 28, 1), ("wrn.3x3.512@14", 512, 14, 1), ("wrn.3x3.1024@7", 1024, 7, 1),
        // ResNeXt's grouped 3×3s of whole blocks (--grouped: these alone): ResNeXt-50 32x4d's layer3 and layer4, ResNeXt-101
        // 32x8d's layer2 and layer3, ResNeXt-101 64x4d's layer3.
        ("rx50.g32x16@14", 512, 14, 32), ("rx50.g32x32@7", 1024, 7, 32), ("rx101.g32x16@28", 512, 28, 32), ("rx101.g32x32@14", 1024, 14, 32),
        ("rx101_64.g64x16@14", 1024, 14, 64),
    ];

    public static int Run(string[] args)
    {
        int threads = CompareRunner.Option(args, "--threads", 1), runs = CompareRunner.Option(args, "--runs", 10), rounds = CompareRunner.Option(args, "--rounds", 3);
        int batch = CompareRunner.Option(args, "--batch", 1);
        // --cold: stream 64 MiB between runs (untimed), so the weights come from memory as they do inside a network,
        // whose weights together (100+ MB) never stay in the 32 MiB L3; without it a layer run alone keeps U in L3.
        bool cold = args.Contains("--cold");
        var evict = cold ? new float[16 << 20] : [];
        int isaAt = Array.IndexOf(args, "--isa");
        CpuPlatform platform = isaAt >= 0 && isaAt + 1 < args.Length ? CpuPlatform.Create(Enum.Parse<CpuIsa>(args[isaAt + 1], ignoreCase: true)) : CpuPlatform.Default;
        if (platform.BlockSize == 0) { Console.Error.WriteLine($"{platform.Isa} has no blocked kernels."); return 1; }
        using var parallel = new ParallelRunner(threads);
        double peak = Enumerable.Range(0, 3).Max(_ => FmaPeak.Measure(threads, 400));
        Console.WriteLine($"winograd: {platform.Isa}, block {platform.BlockSize}, batch {batch}, {threads} thread(s), {(cold ? "cold caches" : "warm caches")}, {runs} runs × {rounds} rounds alternating; FMA peak {peak:F1} GFLOP/s");
        Console.WriteLine("| layer | direct ms | % peak | F4 ms | F4 speed-up | F2 ms | F2 speed-up | error direct | error F4 | error F2 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        bool groupedOnly = args.Contains("--grouped");
        string? only = CompareRunner.TextOption(args, "--only");
        foreach (var (name, c, side, group) in Shapes)
        {
            if (groupedOnly && group == 1) continue;
            if (only is not null && name != only) continue;
            var window = ConvCase.MakeWindow((1, side, side), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 1, 1), (0, 1, 1));
            var shape = new ConvShape(batch, c, c, group, window, new ConvEpilogue(false, true));
            if (!WinogradPlan.Supports(shape, platform.BlockSize)) continue;
            // The dense rows keep their seeds (c + side); grouped ones differ by their group count.
            var random = new Random(c + side + group - 1);
            // He-scaled weights and ReLU-positive inputs, as the layers of a trained network see them.
            float[] weight = Fill(random, shape.WeightLength, Math.Sqrt(2.0 / (9 * shape.ChannelsPerGroup))), bias = Fill(random, c, 0.1);
            var tensor = Tensor.FromArray(weight, weight.Length);
            int b = platform.BlockSize;
            long inLength = (long)batch * BlockedLayout.PaddedChannels(c, b) * window.InSize, outLength = (long)batch * BlockedLayout.PaddedChannels(c, b) * window.OutSize;
            float[] xb = Fill(random, inLength, 1).Select(v => Math.Max(v, 0)).ToArray();
            ConvPlan[] plans = [new BlockedDirectPlan(shape, tensor, platform, parallel), new WinogradPlan(shape, tensor, WinogradMatrices.F4, platform, parallel),
                new WinogradPlan(shape, tensor, WinogradMatrices.F2, platform, parallel)];
            var workspace = new WorkspaceBuffer(plans.Max(p => p.WorkspaceBytes));
            var outputs = plans.Select(_ => new float[outLength]).ToArray();
            var times = plans.Select(_ => new List<double>()).ToArray();
            for (int warm = 0; warm < 3; warm++)
                for (int p = 0; p < plans.Length; p++) plans[p].Run(xb, default, bias, default, outputs[p], workspace.Workspace);
            for (int round = 0; round < rounds; round++)
                for (int p = 0; p < plans.Length; p++)
                    for (int i = 0; i < runs; i++)
                    {
                        if (cold) Evict(evict);
                        long start = Stopwatch.GetTimestamp();
                        plans[p].Run(xb, default, bias, default, outputs[p], workspace.Workspace);
                        times[p].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
            GC.KeepAlive(workspace);
            double[] errors = BlockedFloat64Reference.RelativeErrors(shape, b, xb, weight, bias, default, Math.Max(1, c / 16), outputs);
            double[] ms = times.Select(t => Stats.Median(t)).ToArray();
            double gflop = shape.Flops / 1e9;
            Console.WriteLine($"| {name} | {ms[0]:F3} | {gflop / ms[0] * 1e3 / peak:P0} | {ms[1]:F3} | {ms[0] / ms[1]:F2} | {ms[2]:F3} | {ms[0] / ms[2]:F2} | {errors[0]:E1} | {errors[1]:E1} | {errors[2]:E1} |");
        }
        return 0;
    }

    private static float s_sink;

    private static void Evict(float[] buffer)
    {
        float sum = 0;
        for (int i = 0; i < buffer.Length; i += 16) { buffer[i] += 1; sum += buffer[i]; }
        s_sink = sum;
    }

    private static float[] Fill(Random random, long length, double scale)
    {
        var a = new float[length];
        for (long i = 0; i < length; i++) a[i] = (float)((random.NextDouble() * 2 - 1) * scale * Math.Sqrt(3));
        return a;
    }
}
