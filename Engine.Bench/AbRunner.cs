using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Planning;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>
/// A/B of one plan choice in one process: two sessions of one model whose CPU backends differ only in their
/// <see cref="BlockedTuning"/>, run round by round in turn, each step's median reported side by side. The host here
/// changes pace within minutes, so processes run one after the other cannot see a 3 % change; sessions alternating in
/// one process see 0.02 ms on a step (NOTES "Ninth sitting"). A session made second ran about 2 % faster with identical
/// plans, so the comparison runs twice, B's session made first the second time, and both are printed. Until the
/// fourteenth sitting B also won on 2 threads with identical plans, in both orders (plain runs 0.25–0.85 ms of 21, 3 %):
/// A ran one more block right after the other session than B did; now A warms up last, both sessions share one thread
/// pool and are compiled in the order made, and identical plans read −0.44 to +0.42 ms either way (NOTES "Fourteenth
/// sitting"). Usage:
/// ab MODEL.onnx --b Name=value[,Name=value…] [--a Name=value…] [--threads 1] [--batch 1] [--runs 10] [--rounds 6]
///    [--pattern REGEX] [--quiet] [--plans] (--plans: the steps whose kernels or workspace differ, and both sessions' bytes)
/// Names are <see cref="BlockedTuning"/>'s (for example --b SplitFirstColumn=false, --b PassChannels=64), and HugePages
/// (<see cref="CpuBackendOptions.HugePages"/>, for example --b HugePages=false).
/// </summary>
public static class AbRunner
{
    private const string Usage = "ab MODEL.onnx --b Name=value[,Name=value...] [--a Name=value...] [--threads N] [--batch B] [--runs R] [--rounds K] [--pattern REGEX] [--quiet] [--plans]";

    public static int Run(string[] args)
    {
        try { return Compare(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"ab: {e.Message}");
            return 2;
        }
    }

    private static int Compare(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException(Usage);
        string model = args[0];
        int threads = CompareRunner.Option(args, "--threads", 1), batch = CompareRunner.Option(args, "--batch", 1);
        int runs = CompareRunner.Option(args, "--runs", 10), rounds = CompareRunner.Option(args, "--rounds", 6);
        var pattern = new Regex(CompareRunner.TextOption(args, "--pattern") ?? ".", RegexOptions.CultureInvariant);
        Settings a = ParseSettings(CompareRunner.TextOption(args, "--a")), b = ParseSettings(CompareRunner.TextOption(args, "--b") ?? throw new ArgumentException(Usage));
        Console.WriteLine($"{model}: {threads} thread(s), batch {batch}, {rounds} rounds of {runs} profiled and {runs} plain runs each");
        Console.WriteLine($"A: {a}");
        Console.WriteLine($"B: {b}");
        bool describe = args.Contains("--plans");
        // The plans are the same in both orders: --plans prints them once, from the first.
        var a1 = Measure(model, a, b, bFirst: false, threads, batch, runs, rounds, describe);
        var b1 = Measure(model, a, b, bFirst: true, threads, batch, runs, rounds, describe: false);
        Console.WriteLine($"plain run, A made first: A {a1.PlainA:F2} B {a1.PlainB:F2} ms; B made first: A {b1.PlainA:F2} B {b1.PlainB:F2} ms");
        Console.WriteLine($"{"step",-48} {"A",7} {"B",7} {"B−A",7} | {"A",7} {"B",7} {"B−A",7}   (A made first | B made first; ms)");
        double sumA1 = 0, sumB1 = 0, sumA2 = 0, sumB2 = 0;
        for (int s = 0; s < a1.Names.Length; s++)
        {
            if (!pattern.IsMatch(a1.Names[s])) continue;
            sumA1 += a1.StepA[s]; sumB1 += a1.StepB[s]; sumA2 += b1.StepA[s]; sumB2 += b1.StepB[s];
            if (!args.Contains("--quiet"))
                Console.WriteLine($"{a1.Names[s],-48} {a1.StepA[s],7:F3} {a1.StepB[s],7:F3} {a1.StepB[s] - a1.StepA[s],7:+0.000;-0.000} | {b1.StepA[s],7:F3} {b1.StepB[s],7:F3} {b1.StepB[s] - b1.StepA[s],7:+0.000;-0.000}");
        }
        Console.WriteLine($"{"steps matching " + pattern,-48} {sumA1,7:F3} {sumB1,7:F3} {sumB1 - sumA1,7:+0.000;-0.000} | {sumA2,7:F3} {sumB2,7:F3} {sumB2 - sumA2,7:+0.000;-0.000}");
        return 0;
    }

    /// <summary>
    /// --plans: the steps whose kernels A and B describe differently, or whose workspace or taken-over input differs, and both sessions' buffer
    /// and workspace bytes. A tuning that moves steps it does not change is moving them by the memory layout (NOTES
    /// "Twenty-second sitting").
    /// </summary>
    private static void DescribeDifferences(string[] names, KernelExecutor a, KernelExecutor b)
    {
        Console.WriteLine($"buffers A {a.BufferBytes / 1048576.0:F2} MiB, B {b.BufferBytes / 1048576.0:F2} MiB; workspace A {a.WorkspaceBytes / 1024.0:F0} KiB, B {b.WorkspaceBytes / 1024.0:F0} KiB");
        int differing = 0;
        for (int s = 0; s < names.Length; s++)
        {
            string da = a.DescribeStep(s) ?? "", db = b.DescribeStep(s) ?? "";
            long wa = a.StepWorkspaceBytes(s), wb = b.StepWorkspaceBytes(s);
            // Which input's buffer the output may take over (the residual's, or none): it moves the buffers, not the kernel.
            int oa = a.OverwritesOf(s), ob = b.OverwritesOf(s);
            if (da == db && wa == wb && oa == ob) continue;
            differing++;
            Console.WriteLine($"  {names[s]}: A {da} ({wa / 1024.0:F0} KiB{Over(oa)}) | B {db} ({wb / 1024.0:F0} KiB{Over(ob)})");
        }
        Console.WriteLine($"{differing} of {names.Length} steps differ between A and B");

        static string Over(int input) => input < 0 ? "" : $", output over input {input}";
    }

    private sealed record Result(string[] Names, double[] StepA, double[] StepB, double PlainA, double PlainB);

    /// <summary>Both sessions, made in the order asked, run <paramref name="rounds"/> rounds in turn (the first to run alternates too).</summary>
    private static Result Measure(string model, Settings a, Settings b, bool bFirst, int threads, int batch, int runs, int rounds, bool describe)
    {
        // One set of workers for both sessions: the sessions then differ in their plans only, not in which worker
        // thread (and core) each one's loops wake.
        using var pool = new CpuThreadPool(threads);
        InferenceSession Open(Settings settings) =>
            InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { ThreadPool = pool, BlockedTuning = settings.Tuning, HugePages = settings.HugePages }));
        InferenceSession first = Open(bFirst ? b : a), second = Open(bFirst ? a : b);
        using InferenceSession sa = bFirst ? second : first, sb = bFirst ? first : second;
        InferenceSession[] sessions = [sa, sb];
        int[] dims = ModelInput.Dims(sa, batch);
        // Planned and compiled in the order made, so that neither label always gets the later memory.
        int[] made = bFirst ? [1, 0] : [0, 1];
        var plans = new ExecutionPlan[2];
        var executors = new KernelExecutor[2];
        foreach (int k in made)
        {
            plans[k] = sessions[k].PlanForShapes([dims]);
            executors[k] = (KernelExecutor)sessions[k].CompiledPlanFor([dims]);
        }
        string[] names = plans[0].Steps.Select(st => st.Node.Name).ToArray();
        if (!plans[1].Steps.Select(st => st.Node.Name).SequenceEqual(names)) throw new InvalidOperationException("A and B planned different steps; ab compares kernels of one plan.");
        if (describe) DescribeDifferences(names, executors[0], executors[1]);
        var input = ModelInput.Sine(dims);
        var outputs = new Tensor[2];
        foreach (int k in made) outputs[k] = ModelInput.OutputOf(plans[k]);
        var ticks = new[] { new List<long[]>(), new List<long[]>() };
        var plain = new[] { new List<double>(), new List<double>() };
        // B warms up first and A last, so that A's first block follows its own warm-up: over the rounds' A B B A … A order
        // each session then starts the same number of blocks right after the other one ran (A had one more).
        foreach (int k in new[] { 1, 0 }) for (int i = 0; i < 3; i++) executors[k].Run([input], [outputs[k]]);
        for (int round = 0; round < rounds; round++)
            for (int turn = 0; turn < 2; turn++)
            {
                int k = (turn + round) % 2;
                for (int r = 0; r < runs; r++)
                {
                    var t = new long[names.Length];
                    executors[k].Profile([input], [outputs[k]], t);
                    ticks[k].Add(t);
                }
                for (int r = 0; r < runs; r++)
                {
                    long start = Stopwatch.GetTimestamp();
                    executors[k].Run([input], [outputs[k]]);
                    plain[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        double[] StepMedians(int k) => Enumerable.Range(0, names.Length).Select(s => Stats.Median(ticks[k].Select(t => t[s] * 1000.0 / Stopwatch.Frequency))).ToArray();
        return new Result(names, StepMedians(0), StepMedians(1), Stats.Median(plain[0]), Stats.Median(plain[1]));
    }

    /// <summary>One session's side of a comparison: its blocked tuning and its backend's huge pages.</summary>
    private sealed record Settings(BlockedTuning Tuning, bool HugePages)
    {
        public override string ToString() => $"{Tuning}, HugePages = {HugePages}";
    }

    /// <summary>HugePages=true|false set on the backend (the default: the backend's own), every other setting on the tuning (<see cref="Parse"/>).</summary>
    private static Settings ParseSettings(string? settings)
    {
        bool hugePages = new CpuBackendOptions().HugePages;
        var rest = new List<string>();
        foreach (string setting in (settings ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = setting.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts[0] != nameof(CpuBackendOptions.HugePages)) { rest.Add(setting); continue; }
            if (parts.Length != 2 || !bool.TryParse(parts[1], out hugePages)) throw new ArgumentException($"'{setting}': HugePages takes true or false.");
        }
        return new Settings(Parse(string.Join(',', rest)), hugePages);
    }

    /// <summary>The defaults with each "Name=value" of a comma-separated list set (a boxed copy, since the record's properties are init-only).</summary>
    internal static BlockedTuning Parse(string? settings)
    {
        object tuning = BlockedTuning.Default;
        if (string.IsNullOrWhiteSpace(settings)) return (BlockedTuning)tuning;
        foreach (string setting in settings.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = setting.Split('=', 2, StringSplitOptions.TrimEntries);
            PropertyInfo property = typeof(BlockedTuning).GetProperty(parts[0], BindingFlags.Public | BindingFlags.Instance)
                ?? throw new ArgumentException($"BlockedTuning has no setting '{parts[0]}'; it has {string.Join(", ", typeof(BlockedTuning).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name))}.");
            if (parts.Length != 2) throw new ArgumentException($"'{setting}': expected Name=value.");
            object value;
            try { value = Convert.ChangeType(parts[1], property.PropertyType, CultureInfo.InvariantCulture); }
            catch (Exception e) when (e is FormatException or OverflowException) { throw new ArgumentException($"'{setting}': {parts[0]} takes a {property.PropertyType.Name}.", e); }
            property.SetValue(tuning, value);
        }
        return (BlockedTuning)tuning;
    }
}
