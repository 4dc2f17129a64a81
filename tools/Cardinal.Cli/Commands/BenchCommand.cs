using System.Diagnostics;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>
/// cardinal bench [--model M] [--batch B] [--threads N] [--runs R] [--device D] [--json]: median and p90
/// latency of steady-state runs on a seeded random input (after warm-up runs that plan and fill the
/// buffer pools), with images/s and GFLOP/s, and the path that ran (backend, ISA, microkernel).
/// </summary>
internal static class BenchCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr)
    {
        string path = ModelFiles.Resolve(a.Single("--model"));
        int batch = a.Int("--batch", 1, 1, 4096), runs = a.Int("--runs", 20, 1, 100_000), warmup = a.Int("--warmup", 3, 0, 1000);
        using var session = ModelFiles.Open(path, a);
        if (session.Inputs.Count != 1) throw new UsageException("bench runs models with one input");
        var info = session.Inputs[0];
        if (info.ElementType != ElementType.Float32 || info.Dims is null) throw new UsageException($"bench needs a float input of known rank, not {info}");
        int[] dims = info.Dims.Select((d, i) => d.Size ?? (i == 0 ? batch : 1)).ToArray();
        if (info.Dims[0].Size is int fixedBatch && fixedBatch != batch)
            stderr.WriteLine($"cardinal: the model's batch dimension is fixed at {fixedBatch}; benchmarking that");
        Tensor input = ModelFiles.RandomInput(info with { Dims = dims.Select(Graph.Dimension.Fixed).ToList() }, seed: 1);
        double flops = session.PlanForShapes([dims]).Flops;

        for (int i = 0; i < warmup; i++) session.Run(input);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            session.Run(input);
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        double median = times[runs / 2], p90 = times[Math.Min(runs - 1, (int)Math.Round(0.9 * (runs - 1)))];
        // Memory: the model's weights, one run context's pooled buffers and workspace, and the process's peak working set.
        double weightsMiB = session.Graph.Initializers.Values.Sum(t => (long)t.Length * t.ElementType.SizeInBytes()) / 1048576.0;
        var compiled = session.CompiledPlanFor([dims]);
        double? buffersMiB = compiled is Planning.KernelExecutor executor ? executor.BufferBytes / 1048576.0 : null;
        double? workspaceMiB = compiled is Planning.KernelExecutor withWorkspace ? withWorkspace.WorkspaceBytes / 1048576.0 : null;
        double peakMiB = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        // What a service keeps once loaded and warm: the live managed heap after a full collection (the session
        // and everything it holds), beside the load-time peak of the whole process.
        double residentMiB = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        double imagesPerSecond = dims[0] * 1000.0 / median, gflops = flops / (median * 1e6);
        if (a.Has("--json"))
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("model", path);
                w.WriteString("backend", session.Backend.Description);
                w.WriteNumber("batch", dims[0]);
                w.WriteNumber("runs", runs);
                w.WriteNumber("medianMs", Math.Round(median, 3));
                w.WriteNumber("p90Ms", Math.Round(p90, 3));
                w.WriteNumber("minMs", Math.Round(times[0], 3));
                w.WriteNumber("imagesPerSecond", Math.Round(imagesPerSecond, 2));
                w.WriteNumber("gflopPerRun", Math.Round(flops / 1e9, 4));
                w.WriteNumber("gflopPerSecond", Math.Round(gflops, 2));
                w.WriteNumber("weightsMiB", Math.Round(weightsMiB, 1));
                if (buffersMiB is double b) w.WriteNumber("runBuffersMiB", Math.Round(b, 1));
                if (workspaceMiB is double ws) w.WriteNumber("workspaceMiB", Math.Round(ws, 1));
                w.WriteNumber("peakWorkingSetMiB", Math.Round(peakMiB, 1));
                w.WriteNumber("liveHeapMiB", Math.Round(residentMiB, 1));
            });
        else
        {
            stdout.WriteLine($"model    {path}");
            stdout.WriteLine($"backend  {session.Backend.Description}");
            stdout.WriteLine($"input    {TensorShape.Format(dims)}, {runs} runs after {warmup} warm-up");
            stdout.WriteLine($"latency  median {median:F2} ms, p90 {p90:F2} ms, min {times[0]:F2} ms");
            stdout.WriteLine($"rate     {imagesPerSecond:F1} images/s, {gflops:F1} GFLOP/s ({flops / 1e9:F3} GFLOP per run)");
            stdout.WriteLine($"memory   weights {weightsMiB:F1} MiB, run buffers {(buffersMiB is double b ? $"{b:F1} MiB" : "n/a")}, " +
                $"workspace {(workspaceMiB is double ws ? $"{ws:F1} MiB" : "n/a")}, peak working set {peakMiB:F1} MiB, live heap {residentMiB:F1} MiB");
        }
        return Cli.Ok;
    }
}
