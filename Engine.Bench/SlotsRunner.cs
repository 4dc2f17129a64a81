using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Planning;

namespace Cardinal.Bench;

/// <summary>
/// `slots MODEL.onnx [--threads T] [--batch B] [--tuning Name=value[,…]]`: where each step writes its output in the executor's pooled buffers, and
/// which step wrote that buffer before it in the run. On several threads a layer's output lines are cheap to write when
/// the writing thread holds them, and dear when the other core last wrote or read them; a value in a larger buffer than
/// its own lies over the first part of the value before it, which another split of the work wrote (NOTES "Twenty-ninth
/// sitting": ResNeXt-50's grouped 3×3s).
/// </summary>
internal static class SlotsRunner
{
    private const string Usage = "slots MODEL.onnx [--threads 2] [--batch 1] [--tuning Name=value[,...]]";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"slots: usage: {Usage}"); return 2; }
        int threads = CompareRunner.Option(args, "--threads", 2), batch = CompareRunner.Option(args, "--batch", 1);
        if (threads < 1 || batch < 1) { Console.Error.WriteLine($"slots: --threads and --batch take 1 or more. Usage: {Usage}"); return 2; }
        // --tuning: the backend's BlockedTuning as `ab` names it (a plan choice can move the buffers).
        BlockedTuning tuning;
        try { tuning = AbRunner.Parse(CompareRunner.TextOption(args, "--tuning")); }
        catch (ArgumentException e) { Console.Error.WriteLine($"slots: {e.Message}"); return 2; }
        using var pool = new CpuThreadPool(threads);
        using var session = InferenceSession.Open(OnnxImporter.Load(args[0]), new CpuBackend(new CpuBackendOptions { ThreadPool = pool, BlockedTuning = tuning }));
        int[] dims = ModelInput.Dims(session, batch);
        ExecutionPlan plan = session.PlanForShapes([dims]);
        var executor = (KernelExecutor)session.CompiledPlanFor([dims]);
        Console.WriteLine($"{Path.GetFileName(args[0])}: batch {dims[0]}, {threads} thread(s), {executor.SlotCount} pooled buffers, {executor.BufferBytes / 1048576.0:F1} MiB");
        Console.WriteLine("| step | output floats | buffer | buffer floats | written before by |");
        Console.WriteLine("|---|---|---|---|---|");
        // Per buffer, the step that wrote it last so far in the run.
        var lastWriter = new Dictionary<int, string>();
        foreach (PlanStep step in plan.Steps)
            foreach (int v in step.Outputs)
            {
                int slot = executor.SlotOf(v);
                if (slot < 0) continue; // a view, a graph output or a constant: not in the pooled buffers
                string before = lastWriter.TryGetValue(slot, out var writer) ? writer : "-";
                Console.WriteLine($"| {step.Node.Name} | {plan.Values[v].ElementCount} | {slot} | {executor.SlotLength(slot)} | {before} |");
                lastWriter[slot] = step.Node.Name;
            }
        return 0;
    }
}
