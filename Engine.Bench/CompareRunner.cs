using System.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// A quick side-by-side (not BenchmarkDotNet): Cardinal and ONNX Runtime on the same model, batch and
/// thread count, in alternating blocks of runs in one process so machine noise hits both. Prints medians,
/// p90, the ratio, and how far the two answers are apart. Usage: compare MODEL.onnx [--batch 1] [--threads 2] [--runs 20] [--nchw]
/// (--nchw: the NCHWc layout pass off, NCHW plans everywhere).
/// </summary>
public static class CompareRunner
{
    /// <summary>Milliseconds between blocks: long enough for the other engine's spinning threads to go idle.</summary>
    internal const int BlockPauseMs = 200;

    public static int Run(string[] args)
    {
        string model = args.Length > 0 ? args[0] : throw new ArgumentException("compare MODEL.onnx [--batch B] [--threads N] [--runs R]");
        int batch = Option(args, "--batch", 1), threads = Option(args, "--threads", 2), runs = Option(args, "--runs", 20);

        bool blocked = !args.Contains("--nchw");
        using var cardinal = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = threads, BlockedLayout = blocked, DepthFirst = DepthFirstOption(args) }));
        var info = cardinal.Inputs[0];
        int[] dims = ModelInput.Dims(cardinal, batch);
        float[] data = ModelInput.SeededNoise(dims);
        var input = Tensor.FromArray(data, dims);

        using var ort = ModelInput.OpenOrt(model, threads);
        var ortInputs = new[] { NamedOnnxValue.CreateFromTensor(info.Name, new DenseTensor<float>(data, dims)) };

        Tensor ours0 = cardinal.Run(input);
        float[] theirs0;
        using (var first = ort.Run(ortInputs)) theirs0 = first.First().AsTensor<float>().ToArray();
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < theirs0.Length; i++) { maxDiff = Math.Max(maxDiff, Math.Abs(ours0.Floats[i] - theirs0[i])); maxRef = Math.Max(maxRef, Math.Abs(theirs0[i])); }
        // Warm-up to the steady state (the JIT's tiers), each engine.
        ModelInput.WarmUp(() => cardinal.Run(input));
        ModelInput.WarmUp(() => { using var _ = ort.Run(ortInputs); });
        // Blocks of runs, alternating engines block by block (ABAB): each engine's worker threads spin for a
        // while after a run, so alternating run by run would hand each engine a core the other still holds.
        var ours = new List<double>(); var theirs = new List<double>();
        int perBlock = Math.Max(1, runs / 4);
        for (int done = 0; done < runs; done += perBlock)
        {
            int count = Math.Min(perBlock, runs - done);
            // A pause before each engine's block: ONNX Runtime's pool threads spin for a while after its runs (and ours
            // briefly after ours), and on 2 cores a spinning neighbour takes a core the other engine's workers need.
            // Without it Cardinal's 2-thread ResNet-18 read 21 ms here against 11 ms alone (cardinal bench).
            Thread.Sleep(BlockPauseMs);
            for (int i = 0; i < count; i++)
            {
                var clock = Stopwatch.StartNew();
                cardinal.Run(input);
                ours.Add(clock.Elapsed.TotalMilliseconds);
            }
            Thread.Sleep(BlockPauseMs);
            for (int i = 0; i < count; i++)
            {
                var clock = Stopwatch.StartNew();
                using (ort.Run(ortInputs)) { }
                theirs.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        double flops = cardinal.PlanForShapes([dims]).Flops;
        Console.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(model))}/{Path.GetFileName(model)} batch {dims[0]}, {threads} thread(s), {runs} runs; {cardinal.Backend.Description}");
        Print("Cardinal", ours, flops);
        Print("ONNX Runtime 1.31.1", theirs, flops);
        Console.WriteLine($"  ratio Cardinal/ORT (median): {Stats.Percentile(ours, 0.5) / Stats.Percentile(theirs, 0.5):F2}");
        double peak = FmaPeak.Best(threads);
        Console.WriteLine($"  FMA peak measured now: {peak:F0} GFLOP/s; Cardinal {flops / (Stats.Percentile(ours, 0.5) * 1e6) / peak:P0} of it, ORT {flops / (Stats.Percentile(theirs, 0.5) * 1e6) / peak:P0}");
        Console.WriteLine($"  outputs agree: max |Cardinal − ORT| {maxDiff:G3} (max |ORT| {maxRef:G3})");
        return 0;
    }

    private static void Print(string name, List<double> ms, double flops) =>
        Console.WriteLine($"  {name,-20} median {Stats.Percentile(ms, 0.5),8:F2} ms  p90 {Stats.Percentile(ms, 0.9),8:F2} ms  {flops / (Stats.Percentile(ms, 0.5) * 1e6),7:F1} GFLOP/s");

    /// <summary>--depth-first off|IMAGES:BATCH_MB:PART_MB (<see cref="DepthFirstTuning"/>); the backend's default without it.</summary>
    internal static DepthFirstTuning? DepthFirstOption(string[] args)
    {
        int at = Array.IndexOf(args, "--depth-first");
        return at >= 0 && at + 1 < args.Length ? DepthFirstTuning.Parse(args[at + 1]) : DepthFirstTuning.Default;
    }

    /// <summary>The word after <paramref name="name"/>, or null when the option is not given.</summary>
    internal static string? TextOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The whole number after <paramref name="name"/>, or <paramref name="fallback"/> when the option is not given.</summary>
    /// <exception cref="ArgumentException">The word after it is not a whole number (the runners' one-line error, exit code 2).</exception>
    internal static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0 || i + 1 >= args.Length) return fallback;
        return int.TryParse(args[i + 1], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value)
            ? value : throw new ArgumentException($"{name} takes a whole number; '{args[i + 1]}' is not one.");
    }
}
