using System.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Planning;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// Per-layer profile: every step of the fused plan timed over several runs (median per step), with its
/// GFLOP/s and the share of the FMA peak measured in the same process. Usage:
/// layers MODEL.onnx [--batch 1] [--threads 1] [--runs 10] [--top 20] [--random] [--nchw] [--in-order]
/// </summary>
public static class LayersRunner
{
    public static int Run(string[] args)
    {
        string model = args.Length > 0 ? args[0] : throw new ArgumentException("layers MODEL.onnx [--batch B] [--threads N] [--runs R] [--top K] [--random] [--nchw]");
        int batch = CompareRunner.Option(args, "--batch", 1), threads = CompareRunner.Option(args, "--threads", 1);
        int runs = CompareRunner.Option(args, "--runs", 10), top = CompareRunner.Option(args, "--top", 20);

        using var session = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = threads, BlockedLayout = !args.Contains("--nchw"), DepthFirst = CompareRunner.DepthFirstOption(args) }));
        int[] dims = ModelInput.Dims(session, batch);
        ExecutionPlan plan = session.PlanForShapes([dims]);
        var executor = (KernelExecutor)session.CompiledPlanFor([dims]);
        var rnd = new Random(1); var input = Tensor.FromArray(Enumerable.Range(0, dims.Aggregate(1, (a, b) => a * b)).Select(i => args.Contains("--random") ? (float)(rnd.NextDouble() * 2 - 1) : MathF.Sin(i)).ToArray(), dims);
        var output = ModelInput.OutputOf(plan);

        for (int i = 0; i < 2; i++) executor.Run([input], [output]);
        var perRun = new List<long[]>();
        var wall = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var ticks = new long[plan.Steps.Count];
            long start = Stopwatch.GetTimestamp();
            executor.Profile([input], [output], ticks);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            perRun.Add(ticks);
        }
        // Plain runs too: the time a caller sees, against the steps' own sum (the gap is hand-offs and waiting threads).
        var plain = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            executor.Run([input], [output]);
            plain.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        double peak = FmaPeak.Best(threads);

        var rows = plan.Steps.Select((step, s) =>
        {
            double ms = perRun.Select(t => t[s] * 1000.0 / Stopwatch.Frequency).Order().ElementAt(runs / 2);
            double gflop = step.Node.Op.Flops(plan.InputsOf(step), plan.OutputsOf(step)) / 1e9;
            return (Step: step, Ms: ms, Gflop: gflop, Algorithm: executor.DescribeStep(s) ?? "");
        }).ToList();
        double total = rows.Sum(r => r.Ms), flops = rows.Sum(r => r.Gflop);
        Console.WriteLine($"{model}: batch {dims[0]}, {threads} thread(s), median of {runs} profiled runs; {session.Backend.Description}");
        Console.WriteLine($"FMA peak measured now: {peak:F0} GFLOP/s ({threads} thread(s), {FmaPeak.VectorWidth} FMA)");
        var viaSession = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            session.Run(input, output);
            viaSession.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        Console.WriteLine($"sum of steps {total:F2} ms, {flops / total * 1e3:F1} GFLOP/s, {flops / total * 1e3 / peak:P0} of peak; " +
            $"whole profiled run {wall.Order().ElementAt(runs / 2):F2} ms, plain run {plain.Order().ElementAt(runs / 2):F2} ms, " +
            $"through the session {viaSession.Order().ElementAt(runs / 2):F2} ms (medians)");
        Console.WriteLine($"{"step",-34} {"output",-18} {"algorithm",-28} {"ms",7} {"share",6} {"GFLOP/s",8} {"peak",5}");
        foreach (var r in (args.Contains("--in-order") ? rows.AsEnumerable() : rows.OrderByDescending(r => r.Ms)).Take(top))
        {
            string shape = Tensors.TensorShape.Format(plan.Values[r.Step.Outputs[0]].Dims);
            double rate = r.Gflop / r.Ms * 1e3;
            Console.WriteLine($"{Trim(r.Step.Node.Name, 34),-34} {shape,-18} {Trim(r.Algorithm, 28),-28} {r.Ms,7:F2} {r.Ms / total,6:P0} {rate,8:F1} {rate / peak,5:P0}");
        }
        return 0;
    }

    private static string Trim(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
