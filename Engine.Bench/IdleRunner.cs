using System.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// A request after a quiet spell, as a service sees one: `idle MODEL.onnx [--threads 2] [--batch 1] [--rounds 20]
/// [--gap 300]`. Each round, for Cardinal and then ONNX Runtime: a pause of --gap ms (the engine's workers go to sleep, the
/// other engine's runs and the pause leave the caches to others), one timed run, then five back-to-back runs timed
/// too (the steady state). Prints each engine's median first run after the gap, its median steady run, and the
/// difference: what a sporadic request pays over a busy stream's.
/// </summary>
public static class IdleRunner
{
    private const string Usage = "idle MODEL.onnx [--threads T] [--batch B] [--rounds K] [--gap MS]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) return Fail(Usage);
        string model = args[0];
        int threads = CompareRunner.Option(args, "--threads", 2), batch = CompareRunner.Option(args, "--batch", 1);
        int rounds = CompareRunner.Option(args, "--rounds", 20), gap = CompareRunner.Option(args, "--gap", 300);
        if (threads < 1 || batch < 1 || rounds < 1 || gap < 0) return Fail($"--threads, --batch and --rounds take 1 or more, --gap 0 or more. Usage: {Usage}");

        using var cardinal = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = threads }));
        int[] dims = ModelInput.Dims(cardinal, batch);
        float[] data = ModelInput.SeededNoise(dims);
        var input = Tensor.FromArray(data, dims);
        using var ort = ModelInput.OpenOrt(model, threads);
        var ortInputs = new[] { NamedOnnxValue.CreateFromTensor(cardinal.Inputs[0].Name, new DenseTensor<float>(data, dims)) };

        Action ours = () => cardinal.Run(input);
        Action theirs = () => { using var _ = ort.Run(ortInputs); };
        // The steady state first (the JIT's tiers).
        ModelInput.WarmUp(ours);
        ModelInput.WarmUp(theirs);
        var firstOurs = new List<double>(); var steadyOurs = new List<double>();
        var firstOrt = new List<double>(); var steadyOrt = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            Round(ours, firstOurs, steadyOurs);
            Round(theirs, firstOrt, steadyOrt);
        }
        Console.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(model)))}/{Path.GetFileName(model)}: batch {dims[0]}, {threads} thread(s), {rounds} rounds of a {gap} ms gap, one run, five more runs");
        Print("Cardinal", firstOurs, steadyOurs);
        Print("ONNX Runtime 1.31.1", firstOrt, steadyOrt);
        Console.WriteLine($"  ratio Cardinal/ORT: first run after the gap {Stats.Median(firstOurs, 0) / Stats.Median(firstOrt, 0):F2}, steady {Stats.Median(steadyOurs, 0) / Stats.Median(steadyOrt, 0):F2}");
        return 0;

        void Round(Action run, List<double> first, List<double> steady)
        {
            Thread.Sleep(gap);
            first.Add(Time(run));
            for (int i = 0; i < 5; i++) steady.Add(Time(run));
        }
    }

    private static double Time(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static void Print(string name, List<double> first, List<double> steady) =>
        Console.WriteLine($"  {name,-20} first after the gap: median {Stats.Median(first, 0),8:F2} ms (p90 {Stats.Percentile(first, 0.9),8:F2}); steady: median {Stats.Median(steady, 0),8:F2} ms; the gap costs {Stats.Median(first, 0) - Stats.Median(steady, 0):+0.00;-0.00} ms");

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"idle: {message}");
        return 2;
    }
}
