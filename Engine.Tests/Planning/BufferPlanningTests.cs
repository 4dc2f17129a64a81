using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Planning;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Planning;

/// <summary>Liveness planning: values whose lives overlap never share memory; values whose lives do not, do.</summary>
[TestFixture]
public class BufferPlanningTests
{
    private static ExecutionPlan ResNetPlan(out string folder)
    {
        folder = Path.Combine(TorchvisionZooTests.ZooFolder, "tiny_resnet_bottleneck");
        References.Require(Path.Combine(folder, "model.onnx"), References.RunTestScript);
        using var session = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        return session.PlanForShapes([[2, 3, 64, 64]]);
    }

    [Test]
    public void Arena_OverlappingLivesNeverShare_AndReuseShrinksTheTotal()
    {
        ExecutionPlan plan = ResNetPlan(out _);
        var layout = ArenaPlanner.Plan(plan);
        var first = new Dictionary<int, int>();
        var last = new Dictionary<int, int>();
        foreach (int i in plan.Inputs) first[i] = -1;
        for (int s = 0; s < plan.Steps.Count; s++)
        {
            foreach (int o in plan.Steps[s].Outputs) first.TryAdd(o, s);
            foreach (int i in plan.Steps[s].Inputs) if (i >= 0) last[i] = s;
        }
        foreach (int o in plan.Outputs) last[o] = int.MaxValue;
        var placed = first.Keys.Where(v => layout.OffsetOf(v) >= 0).ToList();
        long sum = placed.Sum(v => plan.Values[v].ElementCount);
        Assert.That(layout.TotalElements, Is.LessThan(sum / 2), "liveness should let later values reuse earlier ones' memory");
        foreach (int a in placed)
            foreach (int b in placed.Where(b => b > a))
            {
                // A value never read lives only at the step that writes it.
                int lastA = last.GetValueOrDefault(a, first[a]), lastB = last.GetValueOrDefault(b, first[b]);
                bool livesOverlap = first[a] <= lastB && first[b] <= lastA;
                long aEnd = layout.OffsetOf(a) + plan.Values[a].ElementCount, bEnd = layout.OffsetOf(b) + plan.Values[b].ElementCount;
                bool bytesOverlap = layout.OffsetOf(a) < bEnd && layout.OffsetOf(b) < aEnd;
                Assert.That(livesOverlap && bytesOverlap, Is.False, $"values {plan.Values[a].Name} and {plan.Values[b].Name} are alive together but share memory");
            }
    }

    [Test]
    public void Executor_ReusesBuffersAcrossSteps_AndRunsStayCorrect()
    {
        ExecutionPlan plan = ResNetPlan(out string folder);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2 });
        var executor = (KernelExecutor)backend.Compile(plan);
        int stepOutputs = plan.Steps.Sum(s => s.Outputs.Length);
        TestContext.Progress.WriteLine($"tiny_resnet_bottleneck: {executor.SlotCount} pooled buffers for {stepOutputs} step outputs");
        Assert.That(executor.SlotCount, Is.LessThan(stepOutputs - 4), "buffers are handed from dead values to new ones of the same size");
        AssertRunsMatchReference(executor, folder, 3, "with pooled buffers");
    }

    /// <summary>
    /// A dying residual's buffer goes to the output wherever the kernel offers it (on 2 threads the blocked kernels keep
    /// their own buffer in layers whose filter outweighs their input: BlockedTuning.SeparateSharedResidual); on 1 thread
    /// they all offer it, and with the rule off on 2 as well.
    /// </summary>
    [Test]
    public void Executor_OutputTakesOverADyingResidual_NeverALiveValue([Values(1, 2)] int threads, [Values(true, false)] bool separate)
    {
        ExecutionPlan plan = ResNetPlan(out string folder);
        var tuning = Cardinal.Kernels.Cpu.Nchwc.BlockedTuning.Default with { SeparateSharedResidual = separate };
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = threads, BlockedTuning = tuning });
        var executor = (KernelExecutor)backend.Compile(plan);
        var life = Lifetimes.Compute(plan, viewsAlias: true);
        int takenOver = 0, keptApart = 0;
        var pairs = new HashSet<(int, int)>();
        for (int s = 0; s < plan.Steps.Count; s++)
        {
            PlanStep step = plan.Steps[s];
            if (step.Node.Op is not Cardinal.Graph.Ops.BlockedConvOp { Conv.Epilogue.Residual: true }) continue;
            int r = step.Inputs[3], y = step.Outputs[0];
            bool offered = executor.OverwritesOf(s) == 3;
            if (threads == 1 || !separate) Assert.That(offered, Is.True, $"{step.Node}: every blocked kernel offers the residual's buffer on {threads} thread(s)");
            else if (!offered) keptApart++;
            bool dies = life.Last[r] == s && executor.SlotOf(r) >= 0 && offered;
            Assert.That(executor.SlotOf(y) == executor.SlotOf(r), Is.EqualTo(dies), $"{step.Node}: residual {plan.Values[r].Name} {(dies ? "dies" : "lives on")}");
            if (dies) { takenOver++; pairs.Add((Math.Min(r, y), Math.Max(r, y))); }
        }
        Assert.That(takenOver, Is.GreaterThan(threads == 1 || !separate ? 2 : 0), "block outputs are written over the residual they add");
        TestContext.Progress.WriteLine($"{threads} thread(s), separate {separate}: {takenOver} outputs over their residual, {keptApart} kept apart");
        // Otherwise values alive at once never share a buffer.
        AssertNoLiveValuesShare(plan, executor, life, pairs);
        AssertRunsMatchReference(executor, folder, 2, "with outputs over residuals");
    }

    /// <summary>
    /// ResNeXt-50's grouped Winograd layers whose output is 256 KB–1 MB (layer3's five, 400 KB at batch 1) take a buffer no
    /// other value of the plan takes, on more threads than images (BlockedTuning.GroupedOutputAlone); on 1 thread, or with
    /// the rule off, none does. Values alive at once still never share, and the answers stay PyTorch's. Dropping the slot's
    /// exclusion (a later value reusing it) fails the "alone" check; offering it on 1 thread fails the count.
    /// </summary>
    [Test]
    public void Executor_GroupedWinogradOutputs_TakeABufferAlone([Values(1, 2)] int threads, [Values(true, false)] bool rule)
    {
        if (!CpuIsas.Supported.Contains(CpuIsa.Avx512))
            References.Unavailable("No AVX-512 tier on this machine (or capped by CARDINAL_CPU_ISA): the fused grouped Winograd loop needs AVX-512F.");
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, "resnext50_32x4d");
        References.Require(Path.Combine(folder, "output.npy"), References.RunTestScript);
        ExecutionPlan plan;
        using (var planning = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), new CpuBackend(new CpuBackendOptions { Threads = 1 })))
            plan = planning.PlanForShapes([[1, 3, 224, 224]]);
        var tuning = Cardinal.Kernels.Cpu.Nchwc.BlockedTuning.Default with { GroupedOutputAlone = rule };
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = threads, BlockedTuning = tuning, MaxIsa = CpuIsa.Avx512 });
        var executor = (KernelExecutor)backend.Compile(plan);
        var life = Lifetimes.Compute(plan, viewsAlias: true);
        var pooled = Enumerable.Range(0, plan.Values.Count).Where(v => executor.SlotOf(v) >= 0).ToList();
        int alone = 0;
        for (int s = 0; s < plan.Steps.Count; s++)
        {
            if (!executor.OutputAloneOf(s)) continue;
            alone++;
            int y = plan.Steps[s].Outputs[0];
            Assert.That(executor.DescribeStep(s), Does.Contain("groups in"), $"{plan.Steps[s].Node}: a fused grouped Winograd layer");
            Assert.That(pooled.Where(v => v != y && executor.SlotOf(v) == executor.SlotOf(y)), Is.Empty, $"{plan.Values[y].Name}: no other value takes its buffer");
        }
        Assert.That(alone, Is.EqualTo(threads > 1 && rule ? 5 : 0), "layer3.1–3.5's grouped 3×3s (layer4's 200 KB outputs and the strided layer3.0 keep pooled buffers)");
        AssertNoLiveValuesShare(plan, executor, life, OverwritePairs(plan, executor));
        // The reference holds two images; the plan is for one (more threads than images), so the first of each.
        var input = Cardinal.Formats.Npy.NpyFile.Read(Path.Combine(folder, "input.npy"));
        var expected = Cardinal.Formats.Npy.NpyFile.Read(Path.Combine(folder, "output.npy"));
        var first = Cardinal.Tensors.Tensor.FromArray(input.Floats[..(3 * 224 * 224)].ToArray(), 1, 3, 224, 224);
        var firstExpected = Cardinal.Tensors.Tensor.FromArray(expected.Floats[..1000].ToArray(), 1, 1000);
        for (int run = 0; run < 2; run++)
            TensorAssert.Close(firstExpected, executor.Run([first])[0], 1e-3, 1e-4, $"run {run} on {threads} thread(s), the rule {(rule ? "on" : "off")}");
    }

    /// <summary>The (input, output) pairs, lower value id first, where a step writes its output over the input it may overwrite.</summary>
    private static HashSet<(int, int)> OverwritePairs(ExecutionPlan plan, KernelExecutor executor)
    {
        var pairs = new HashSet<(int, int)>();
        for (int s = 0; s < plan.Steps.Count; s++)
            if (executor.OverwritesOf(s) is >= 0 and var at && at < plan.Steps[s].Inputs.Length && plan.Steps[s].Inputs[at] >= 0 && plan.Steps[s].Outputs.Length > 0)
            {
                int r = plan.Steps[s].Inputs[at], y = plan.Steps[s].Outputs[0];
                pairs.Add((Math.Min(r, y), Math.Max(r, y)));
            }
        return pairs;
    }

    /// <summary>No two values alive at once share a buffer, but for the <paramref name="allowed"/> pairs (lower value id first).</summary>
    private static void AssertNoLiveValuesShare(ExecutionPlan plan, KernelExecutor executor, Lifetimes life, IReadOnlySet<(int, int)> allowed)
    {
        var pooled = Enumerable.Range(0, plan.Values.Count).Where(v => executor.SlotOf(v) >= 0).ToList();
        foreach (int a in pooled)
            foreach (int b in pooled.Where(b => b > a && executor.SlotOf(b) == executor.SlotOf(a)))
                Assert.That(life.Overlap(a, b) && !allowed.Contains((a, b)), Is.False, $"{plan.Values[a].Name} and {plan.Values[b].Name} share a buffer while both alive");
    }

    /// <summary><paramref name="runs"/> runs of the executor in a row, each against the tiny model's PyTorch output.</summary>
    private static void AssertRunsMatchReference(KernelExecutor executor, string folder, int runs, string what)
    {
        var input = Cardinal.Formats.Npy.NpyFile.Read(Path.Combine(folder, "input.npy"));
        var expected = Cardinal.Formats.Npy.NpyFile.Read(Path.Combine(folder, "output.npy"));
        for (int run = 0; run < runs; run++)
            TensorAssert.Close(expected, executor.Run([input])[0], 1e-3, 1e-4, $"run {run} {what}");
    }

    /// <summary>
    /// A value for which no freed buffer of its own size is free takes a larger freed one rather than a new buffer: the
    /// buffers hold fewer bytes than with exact sizes only (never more), every value fits its buffer, values alive at once
    /// share one only where an output is written over its dying input, and the answers stay the reference's. Taking a
    /// smaller buffer fails the fit; taking one still in use fails the sharing check.
    /// </summary>
    [Test]
    public void Executor_ValueTakesALargerFreedBuffer_NeverMoreBytes([Values(1, 2)] int threads)
    {
        ExecutionPlan plan = ResNetPlan(out string folder);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = threads });
        var executor = (KernelExecutor)backend.Compile(plan);
        var life = Lifetimes.Compute(plan, viewsAlias: true);
        var pooled = Enumerable.Range(0, plan.Values.Count).Where(v => executor.SlotOf(v) >= 0).ToList();
        int inLarger = 0;
        foreach (int v in pooled)
        {
            long length = executor.SlotLength(executor.SlotOf(v));
            Assert.That(length, Is.GreaterThanOrEqualTo(plan.Values[v].ElementCount), $"{plan.Values[v].Name} fits its buffer");
            if (length > plan.Values[v].ElementCount) inLarger++;
        }
        Assert.That(inLarger, Is.GreaterThan(0), "some value sits in a larger freed buffer");
        Assert.That(executor.BufferBytes, Is.LessThan(executor.ExactSizesBufferBytes), "fewer bytes than buffers of exact sizes");
        TestContext.Progress.WriteLine($"{threads} thread(s): {inLarger} values in larger buffers, {executor.BufferBytes} bytes against {executor.ExactSizesBufferBytes} with exact sizes");
        // An output written over its dying input is the one sharing allowed while both are alive.
        AssertNoLiveValuesShare(plan, executor, life, OverwritePairs(plan, executor));
        AssertRunsMatchReference(executor, folder, 3, "with values in larger buffers");
    }
}
