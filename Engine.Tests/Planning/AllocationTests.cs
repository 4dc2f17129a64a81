using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;
using ElementType = Cardinal.Tensors.ElementType;

namespace Cardinal.Tests.Planning;

/// <summary>A steady-state run into a caller's output tensor allocates 0 bytes (CPU backend, one thread: all work on this thread).</summary>
[TestFixture]
public class AllocationTests
{
    private static void AssertZeroAllocations(string model, int[] inputShape)
    {
        using var session = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        var random = new Random(3);
        var input = Tensor.Create(ElementType.Float32, inputShape);
        for (int i = 0; i < input.Length; i++) input.Floats[i] = (float)random.NextDouble();
        var plan = session.PlanForShapes([inputShape]);
        var output = Tensor.Create(ElementType.Float32, plan.Values[plan.Outputs[0]].Dims);
        for (int i = 0; i < 3; i++) session.Run(input, output);
        float[] first = output.Floats.ToArray();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) session.Run(input, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        TestContext.Progress.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(model))}/{Path.GetFileName(model)}: {allocated} bytes allocated over 20 steady-state runs");
        Assert.That(allocated, Is.EqualTo(0));
        Assert.That(output.Floats.ToArray(), Is.EqualTo(first), "runs into the same buffer give the same answer");
        TensorAssert.Close(session.Run(input), output, 0, 0, "Run(input, output) equals Run(input)");
    }

    [Test]
    public void PretrainedResNet18_RunIntoCallerBuffer_AllocatesNothing()
    {
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        AssertZeroAllocations(DefaultModelTests.ModelPath, [1, 3, 224, 224]);
    }

    /// <summary>
    /// Its classifier head is a Gemm with transB (10×2048 weights): batch 1 takes the dot-product path,
    /// batch 16 the SGEMM path, whose transposed weights must be prepared once, not copied on every run.
    /// </summary>
    [TestCase(1), TestCase(16)]
    public void TorchvisionResNeXt_RunIntoCallerBuffer_AllocatesNothing(int batch)
    {
        string model = Path.Combine(TorchvisionZooTests.ZooFolder, "tiny_resnext_8x4d", "model.onnx");
        References.Require(model, References.RunTestScript);
        AssertZeroAllocations(model, [batch, 3, 64, 64]);
    }

    [TestCase(true), TestCase(false)]
    public void TwoThreads_DepthFirstParts_AllocateNothing(bool sideBySide)
    {
        // Batch 4 on 2 threads, every layer depth first: a Split, the parts (in two lanes, one on a worker thread, or one
        // after another) and a Concat. The count is every thread's (GC.GetTotalAllocatedBytes), not the caller's alone.
        // The Split and Concat kernels had walked their tensor lists with foreach: an enumerator object every run.
        string model = Path.Combine(TorchvisionZooTests.ZooFolder, "tiny_resnext_8x4d", "model.onnx");
        References.Require(model, References.RunTestScript);
        References.RequireBlockedTier(CpuPlatform.Default.BlockSize > 0, "the depth-first parts (after the blocked layout pass)");
        using var session = InferenceSession.Open(OnnxImporter.Load(model),
            new CpuBackend(new CpuBackendOptions { Threads = 2, DepthFirst = new DepthFirstTuning(1, 0, long.MaxValue, sideBySide) }));
        int[] shape = [4, 3, 64, 64];
        var plan = session.PlanForShapes([shape]);
        Assert.That(plan.Steps.Count(s => s.Node.Op is Cardinal.Graph.Ops.SplitOp), Is.EqualTo(1));
        Assert.That(Cardinal.Planning.ConcurrentRegion.Find(plan).Select(r => r.Lanes), Is.EqualTo(sideBySide ? new[] { 2 } : Array.Empty<int>()));
        var input = Tensor.Create(ElementType.Float32, shape);
        var random = new Random(5);
        for (int i = 0; i < input.Length; i++) input.Floats[i] = (float)random.NextDouble();
        var output = Tensor.Create(ElementType.Float32, plan.Values[plan.Outputs[0]].Dims);
        for (int i = 0; i < 3; i++) session.Run(input, output);
        // Every thread of the process counts, other tests' leftovers too (a host's timer, a finished test's pool): the
        // least of twelve windows of 4 runs, so that a stray allocation elsewhere fails nothing while one per run would.
        // Three windows of 20 runs (~0.2 s each) had failed half the class's runs: 168 bytes landed in every window from a
        // thread that was neither the caller nor a worker (the same in both modes, with no part on a worker in one).
        long allocated = long.MaxValue;
        for (int window = 0; window < 12; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 4; i++) session.Run(input, output);
            allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        TestContext.Progress.WriteLine($"tiny_resnext_8x4d, batch 4, parts {(sideBySide ? "side by side" : "one after another")}: {allocated} bytes allocated over 4 runs (the least of twelve windows)");
        Assert.That(allocated, Is.EqualTo(0));
    }

    [Test]
    public void RunIntoCallerBuffer_WrongOutputShape_Throws()
    {
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        using var session = InferenceSession.Open(OnnxImporter.Load(DefaultModelTests.ModelPath), new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        Assert.That(() => session.Run(Tensor.Create(ElementType.Float32, [1, 3, 224, 224]), Tensor.Create(ElementType.Float32, [1, 512])),
            Throws.TypeOf<InputMismatchException>().With.Message.Contains("[1,512,1,1]"));
    }
}
