using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Planning;

/// <summary>Fused against unfused, on the same kernels: BatchNorm folding, residual Add and ReLU fusion change the plan, not the answer.</summary>
[TestFixture]
public class FusionTests
{
    private static InferenceSession Open(string model, bool fuse) =>
        // The graph-level fusions on NCHW plans (the layout pass has its own tests: NchwcLayoutPassTests).
        InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = 2, BlockedLayout = false }), new SessionOptions { Fuse = fuse });

    [TestCase("tiny_resnet_basic"), TestCase("tiny_resnet_bottleneck"), TestCase("tiny_resnext_8x4d"), TestCase("resnet50")]
    public void ZooModel_FusedMatchesUnfusedAndPlanShrinks(string name)
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, name);
        References.Require(Path.Combine(folder, "model.onnx"), References.RunTestScript);
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        using var fused = Open(Path.Combine(folder, "model.onnx"), fuse: true);
        using var plain = Open(Path.Combine(folder, "model.onnx"), fuse: false);
        var fusedPlan = fused.PlanForShapes([input.Shape()]);
        var plainPlan = plain.PlanForShapes([input.Shape()]);

        Assert.That(fusedPlan.Steps.Any(s => s.Node.OpType is "BatchNormalization" or "Relu" or "Add"), Is.False,
            "every BatchNorm, Relu and residual Add of a torchvision ResNet folds into a convolution");
        int convs = plainPlan.Steps.Count(s => s.Node.OpType == "Conv");
        Assert.That(fusedPlan.Steps.Count(s => s.Node.OpType == "Conv"), Is.EqualTo(convs));
        Assert.That(fusedPlan.Steps.Count(s => s.Node.Op is ConvOp { Epilogue.Residual: true }),
            Is.EqualTo(plainPlan.Steps.Count(s => s.Node.OpType == "Add")));

        Tensor a = fused.Run(input), b = plain.Run(input);
        TensorAssert.Close(b, a, 1e-4, 1e-5, $"{name} fused vs unfused");
    }

    /// <summary>Per-channel BatchNorm parameters with small variances (where float and double √ differ most).</summary>
    internal static (Tensor Gamma, Tensor Beta, Tensor Mean, Tensor Variance) BatchNormParameters(int channels, int seed)
    {
        var random = new Random(seed);
        float[] Draw(double low, double high) => Enumerable.Range(0, channels).Select(_ => (float)(low + random.NextDouble() * (high - low))).ToArray();
        return (Tensor.FromArray(Draw(-2, 2), channels), Tensor.FromArray(Draw(-1, 1), channels),
            Tensor.FromArray(Draw(-3, 3), channels), Tensor.FromArray(Draw(1e-4, 3), channels));
    }

    [Test]
    public void UnfoldedBatchNormKernel_UsesTheFoldedScaleAndShift_BitForBit()
    {
        // A 1×1 convolution with weight 1 folds to W' = scale and B' = shift: the unfolded kernel must apply the same
        // two numbers (x = 0 gives the shift, x = 1 gives scale + shift, each rounded once).
        const int channels = 64;
        const float epsilon = 1e-5f;
        var (gamma, beta, mean, variance) = BatchNormParameters(channels, 3);
        var ones = Tensor.FromArray(Enumerable.Repeat(1f, channels).ToArray(), channels, 1, 1, 1);
        var (w, b) = Cardinal.Passes.FoldBatchNormIntoConv.Fold(ones, null, gamma, beta, mean, variance, epsilon);
        var x = Tensor.FromArray(Enumerable.Repeat(0f, channels).Concat(Enumerable.Repeat(1f, channels)).ToArray(), 2, channels, 1, 1);
        var y = Tensor.Create(Cardinal.Tensors.ElementType.Float32, [2, channels, 1, 1]);
        Cardinal.Kernels.Cpu.Ops.Normalization.BatchNorm(x, gamma, beta, mean, variance, epsilon, y);
        for (int c = 0; c < channels; c++)
        {
            Assert.That(y.Floats[c], Is.EqualTo(b.Floats[c]), $"channel {c}: shift");
            Assert.That(y.Floats[channels + c], Is.EqualTo(w.Floats[c] + b.Floats[c]), $"channel {c}: scale + shift");
        }
    }

    [Test]
    public void ConvBatchNorm_FusedMatchesUnfused_WithSmallVariances()
    {
        const int channels = 16;
        var (gamma, beta, mean, variance) = BatchNormParameters(channels, 4);
        var random = new Random(5);
        float[] weights = Enumerable.Range(0, channels * 3 * 9).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        byte[] model = OnnxWriter.Model(13,
            [
                OnnxWriter.Node("Conv", ["X", "W", "CB"], ["C"], "conv", OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1)),
                OnnxWriter.Node("BatchNormalization", ["C", "G", "B", "M", "V"], ["Y"], "bn", OnnxWriter.FloatAttribute("epsilon", 1e-3f)),
            ],
            [
                OnnxWriter.Tensor("W", OnnxWriter.Float, [channels, 3, 3, 3], floats: weights),
                OnnxWriter.Tensor("CB", OnnxWriter.Float, [channels], floats: [.. Enumerable.Range(0, channels).Select(i => i * 0.05f - 0.4f)]),
                OnnxWriter.Tensor("G", OnnxWriter.Float, [channels], floats: gamma.Floats.ToArray()),
                OnnxWriter.Tensor("B", OnnxWriter.Float, [channels], floats: beta.Floats.ToArray()),
                OnnxWriter.Tensor("M", OnnxWriter.Float, [channels], floats: mean.Floats.ToArray()),
                OnnxWriter.Tensor("V", OnnxWriter.Float, [channels], floats: variance.Floats.ToArray()),
            ],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 2, 3, 6, 5)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 2, channels, 6, 5)]);
        string path = Path.Combine(Path.GetTempPath(), $"cardinal-convbn-small-var-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            using var fused = Open(path, fuse: true);
            using var plain = Open(path, fuse: false);
            Assert.That(fused.PlanForShapes([[2, 3, 6, 5]]).Steps.Select(s => s.Node.OpType), Is.EqualTo(new[] { "Conv" }));
            var x = Tensor.FromArray(Enumerable.Range(0, 2 * 3 * 30).Select(i => MathF.Cos(i * 0.7f)).ToArray(), 2, 3, 6, 5);
            TensorAssert.Close(plain.Run(x), fused.Run(x), 1e-5, 1e-5, "conv + batchnorm fused vs unfused");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void PretrainedResNet18_FusedMatchesUnfused()
    {
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        using var fused = Open(DefaultModelTests.ModelPath, fuse: true);
        using var plain = Open(DefaultModelTests.ModelPath, fuse: false);
        var random = new Random(9);
        float[] data = Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)random.NextDouble()).ToArray();
        var x = Tensor.FromArray(data, 1, 3, 224, 224);
        TensorAssert.Close(plain.Run(x), fused.Run(x), 1e-4, 1e-5, "resnet18-mlnet fused vs unfused");
        Assert.That(fused.PlanForShapes([[1, 3, 224, 224]]).Steps.Count, Is.LessThan(plain.PlanForShapes([[1, 3, 224, 224]]).Steps.Count / 2));
    }

    [Test]
    public void ConvOutputWithTwoReaders_IsNotFused()
    {
        // Y = Relu(Conv(X)) and Z = Conv(X) + 1: the conv's output has two readers, so neither Relu nor Add may fuse.
        byte[] model = OnnxWriter.Model(13,
            [
                OnnxWriter.Node("Conv", ["X", "W"], ["C"], "conv"),
                OnnxWriter.Node("Relu", ["C"], ["Y"], "relu"),
                OnnxWriter.Node("Add", ["C", "C2"], ["Z"], "add"),
            ],
            [OnnxWriter.Tensor("W", OnnxWriter.Float, [1, 1, 1, 1], floats: [2f]), OnnxWriter.Tensor("C2", OnnxWriter.Float, [1, 1, 2, 2], floats: [1, 1, 1, 1])],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 1, 2, 2)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 1, 2, 2), OnnxWriter.ValueInfo("Z", OnnxWriter.Float, 1, 1, 2, 2)]);
        string path = Path.Combine(Path.GetTempPath(), $"cardinal-fuse-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            using var session = Open(path, fuse: true);
            var plan = session.PlanForShapes([[1, 1, 2, 2]]);
            Assert.That(plan.Steps.Select(s => s.Node.OpType), Is.EqualTo(new[] { "Conv", "Relu", "Add" }));
            var outputs = session.Run(new Dictionary<string, Tensor> { ["X"] = Tensor.FromArray(new float[] { -1, 0, 1, 2 }, 1, 1, 2, 2) });
            Assert.That(outputs["Y"].Floats.ToArray(), Is.EqualTo(new float[] { 0, 0, 2, 4 }));
            Assert.That(outputs["Z"].Floats.ToArray(), Is.EqualTo(new float[] { -1, 1, 3, 5 }));
        }
        finally { File.Delete(path); }
    }
}

/// <summary>The graph-level BatchNorm fold: what it keeps, what it drops, and that plans share its result.</summary>
[TestFixture]
public class WeightSharingTests
{
    internal static string ConvBnModel()
    {
        byte[] model = OnnxWriter.Model(13,
            [
                OnnxWriter.Node("Conv", ["X", "W"], ["C"], "conv", OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1)),
                OnnxWriter.Node("BatchNormalization", ["C", "G", "B", "M", "V"], ["Y"], "bn"),
            ],
            [
                // raw_data, as exporters write weights: the reader decodes it straight into float arrays.
                OnnxWriter.Tensor("W", OnnxWriter.Float, [2, 1, 3, 3], raw: System.Runtime.InteropServices.MemoryMarshal.AsBytes(
                    Enumerable.Range(0, 18).Select(i => i * 0.1f - 0.7f).ToArray().AsSpan()).ToArray()),
                OnnxWriter.Tensor("G", OnnxWriter.Float, [2], floats: [1.5f, 0.5f]),
                OnnxWriter.Tensor("B", OnnxWriter.Float, [2], floats: [0.25f, -1f]),
                OnnxWriter.Tensor("M", OnnxWriter.Float, [2], floats: [0.1f, -0.3f]),
                OnnxWriter.Tensor("V", OnnxWriter.Float, [2], floats: [2f, 0.25f]),
            ],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, -1, 1, 5, 5)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, -1, 2, 5, 5)]);
        string path = Path.Combine(Path.GetTempPath(), $"cardinal-convbn-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        return path;
    }

    [Test]
    public void Fold_DropsBatchNormAndItsWeights_LeavesTheSourceGraphAlone()
    {
        string path = ConvBnModel();
        try
        {
            var graph = OnnxImporter.Load(path);
            var folded = Cardinal.Passes.FoldBatchNormIntoConv.Apply(graph);
            Assert.That(folded.Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "Conv" }));
            Assert.That(folded.Initializers.Keys, Is.EquivalentTo(new[] { "conv::bn_folded_W", "conv::bn_folded_B" }),
                "the unfolded weights and the statistics are not kept");
            Assert.That(graph.Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "Conv", "BatchNormalization" }));
            Assert.That(graph.Initializers.Keys, Is.EquivalentTo(new[] { "W", "G", "B", "M", "V" }));

            // Same answer as the unfolded graph, run op by op.
            var x = Tensor.FromArray(Enumerable.Range(0, 50).Select(i => MathF.Sin(i)).ToArray(), 2, 1, 5, 5);
            using var fused = InferenceSession.Open(graph, new CpuBackend(new CpuBackendOptions { BlockedLayout = false }), new SessionOptions { Fuse = true });
            using var plain = InferenceSession.Open(graph, new CpuBackend(new CpuBackendOptions { BlockedLayout = false }), new SessionOptions { Fuse = false });
            TensorAssert.Close(plain.Run(x), fused.Run(x), 1e-5, 1e-6, "folded vs unfolded");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void PlansForTwoBatchSizes_ShareOnePackedCopyOfTheWeights()
    {
        string path = ConvBnModel();
        try
        {
            using var session = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { BlockedLayout = false }), new SessionOptions());
            var one = session.PlanForShapes([[1, 1, 5, 5]]);
            var four = session.PlanForShapes([[4, 1, 5, 5]]);
            Assert.That(one, Is.Not.SameAs(four));
            var w1 = one.Values[one.Steps[0].Inputs[1]].Constant;
            var w4 = four.Values[four.Steps[0].Inputs[1]].Constant;
            Assert.That(w1, Is.SameAs(w4), "both plans read the one folded weight tensor");

            // The folded tensor is the session's: once packed its data went, so the batch-4 plan can only have run
            // from the packed copy the batch-1 plan made.
            Assert.That(w1!.IsReleased, Is.True, "the session's folded weights go once the backend holds them packed");
            var x4 = Tensor.FromArray(Enumerable.Range(0, 100).Select(i => MathF.Cos(i)).ToArray(), 4, 1, 5, 5);
            var x1 = Tensor.FromArray(x4.Floats[..25].ToArray(), 1, 1, 5, 5);
            Assert.That(session.Run(x4).Floats[..50].ToArray(), Is.EqualTo(session.Run(x1).Floats.ToArray()), "batch 4 starts with batch 1's answer");

            // The cache itself: keyed by (weights, algorithm, platform).
            var weights = Tensor.FromArray(Enumerable.Range(0, 18).Select(i => i * 0.1f).ToArray(), 2, 1, 3, 3);
            var cache = new Cardinal.Kernels.Cpu.Conv.PackedWeightsCache();
            var window = Window3D.From(((ConvOp)one.Steps[0].Node.Op).Geometry(one.Steps[0].Node, one.Values[one.Steps[0].Inputs[0]], one.Values[one.Steps[0].Inputs[1]]));
            var shape = new Cardinal.Kernels.Cpu.Conv.ConvShape(1, 1, 2, 1, window);
            var platform = Cardinal.Kernels.Cpu.CpuPlatform.Default;
            var packed = cache.Get(weights, Cardinal.Kernels.Cpu.Conv.ConvAlgorithm.ShiftedTapGemm, shape, platform);
            Assert.That(cache.Get(weights, Cardinal.Kernels.Cpu.Conv.ConvAlgorithm.Im2ColGemm, shape with { Batch = 4 }, platform), Is.SameAs(packed),
                "the GEMM algorithms share one packing of A, whatever the batch");
            Assert.That(cache.Get(weights, Cardinal.Kernels.Cpu.Conv.ConvAlgorithm.Im2ColGemm, shape, Cardinal.Kernels.Cpu.CpuPlatform.Create(Cardinal.Kernels.Cpu.CpuIsa.Scalar)),
                Is.Not.SameAs(packed), "another platform packs its own copy");
            Assert.That(cache.CountFor(weights), Is.EqualTo(2));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void StreamedLoad_GivesTheSameWeightsAsParsingTheBytes()
    {
        string path = ConvBnModel();
        try
        {
            var streamed = OnnxImporter.Load(path);
            var parsed = OnnxImporter.ToGraph(OnnxReader.Parse(File.ReadAllBytes(path)));
            foreach (var (name, tensor) in parsed.Initializers)
                Assert.That(streamed.Initializers[name].Floats.ToArray(), Is.EqualTo(tensor.Floats.ToArray()), name);
        }
        finally { File.Delete(path); }
    }
}
