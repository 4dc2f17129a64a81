using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Passes;
using Cardinal.Planning;
using Cardinal.Tensors;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Planning;

/// <summary>
/// The depth-first prefix (<see cref="DepthFirstPrefix"/>): a batch's first layers run a few images at a time.
/// It changes where the images go through the plan, never what is computed: the answers stay PyTorch's, and they are
/// bit-identical to the whole batch's (every kernel sums an image in the same order whatever the batch).
/// </summary>
[TestFixture]
public class DepthFirstPrefixTests
{
    /// <summary>The tiers with blocked kernels (the depth-first pass runs after the blocked layout pass); lane tests share it.</summary>
    internal static IEnumerable<CpuIsa> BlockedTiers => CpuIsas.Blocked;

    /// <summary>Every layer that keeps images apart is in the prefix (no byte threshold, no cap on a part).</summary>
    private static DepthFirstTuning Everything(int images) => new(images, 0, long.MaxValue);

    /// <summary>A zoo model's folder, its reference made if missing (lane tests share it).</summary>
    internal static string Zoo(string name)
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, name);
        References.Require(Path.Combine(folder, "output.npy"), References.RunTestScript);
        return folder;
    }

    private static InferenceSession Open(string folder, CpuIsa isa, DepthFirstTuning? depthFirst, bool winograd = true, SessionOptions? options = null) =>
        InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")),
            new CpuBackend(new CpuBackendOptions { Threads = 2, MaxIsa = isa, DepthFirst = depthFirst, Winograd = winograd }), options);

    private static Tensor RandomImages(int batch, int size, int seed) =>
        Tensor.FromArray(TestModels.RandomData(batch * 3 * size * size, seed), [batch, 3, size, size]);

    [TestCase("tiny_resnet_basic"), TestCase("tiny_resnet_bottleneck"), TestCase("tiny_resnext_8x4d"), TestCase("tiny_wide_resnet")]
    public void PartsOfOneImage_EveryLayerOnce_MatchPyTorch(string name)
    {
        string folder = Zoo(name);
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy")), expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        Assert.That(input.Dims[0], Is.EqualTo(2), "the reference is a batch of two");
        foreach (CpuIsa isa in BlockedTiers)
        {
            using var session = Open(folder, isa, Everything(1));
            ExecutionPlan plan = session.PlanForShapes([input.Shape()]);
            using var whole = Open(folder, isa, depthFirst: null);
            ExecutionPlan wholePlan = whole.PlanForShapes([input.Shape()]);

            PlanStep split = plan.Steps[0], concat = plan.Steps.Single(s => s.Node.Op is ConcatOp);
            Assert.That(split.Node.Op, Is.InstanceOf<SplitOp>(), $"{name} on {isa}: the image batch is split first");
            Assert.That(split.Inputs, Is.EqualTo(plan.Inputs));
            Assert.That(split.Outputs.Select(v => plan.Values[v].Dims[0]), Is.EqualTo(new[] { 1, 1 }));
            int prefix = plan.Steps.ToList().IndexOf(concat) - 1;
            Assert.That(prefix % 2, Is.EqualTo(0), "each part runs the same steps");
            int perPart = prefix / 2;
            // The rest of the plan is the whole batch's plan from the cut on, step for step.
            static string Step(PlanStep s) => $"{s.Node.Name}: {s.Node.Op.Describe()}";
            Assert.That(plan.Steps.Skip(prefix + 2).Select(Step), Is.EqualTo(wholePlan.Steps.Skip(perPart).Select(Step)));
            Assert.That(plan.Steps.Skip(1).Take(perPart).Select(s => s.Node.Op.Describe()), Is.EqualTo(wholePlan.Steps.Take(perPart).Select(s => s.Node.Op.Describe())));
            Assert.That(plan.Steps.Skip(1).Take(prefix).SelectMany(s => s.Outputs).All(v => plan.Values[v].Dims[0] == 1), Is.True);
            Assert.That(plan.Values[concat.Outputs[0]].Dims[0], Is.EqualTo(2));
            // Everything that keeps images apart went in: the prefix stops at the head's Flatten.
            Assert.That(wholePlan.Steps[perPart].Node.Op, Is.InstanceOf<ViewOp>(), $"{name} on {isa}: the cut is before {wholePlan.Steps[perPart].Node}");
            TensorAssert.Close(expected, session.Run(input), 1e-3, 1e-4, $"{name} depth first on {isa}");
        }
    }

    [TestCase("tiny_resnet_bottleneck", 2), TestCase("tiny_resnext_8x4d", 2), TestCase("tiny_wide_resnet", 3)]
    public void UnevenParts_BitIdenticalToTheWholeBatch_BothModes(string name, int imagesPerPart)
    {
        // Batch 5 in parts of at most 2 (2 + 2 + 1) or 3 (3 + 2): the direct kernels sum each image in the same
        // order whatever the batch, so the answers cannot move by a bit.
        string folder = Zoo(name);
        Tensor input = RandomImages(5, 64, seed: 17);
        foreach (CpuIsa isa in BlockedTiers)
        {
            using var parts = Open(folder, isa, Everything(imagesPerPart), winograd: false);
            using var whole = Open(folder, isa, depthFirst: null, winograd: false);
            ExecutionPlan plan = parts.PlanForShapes([input.Shape()]);
            int[] sizes = plan.Steps[0].Outputs.Select(v => plan.Values[v].Dims[0]).ToArray();
            Assert.That(sizes, Is.EqualTo(imagesPerPart == 2 ? new[] { 2, 2, 1 } : new[] { 3, 2 }));
            Assert.That(parts.Run(input).Floats.ToArray(), Is.EqualTo(whole.Run(input).Floats.ToArray()), $"{name} on {isa}");

            // Winograd's variant depends on one image's plane, never on the batch (WinogradSelection): parts too are
            // bit-identical to the whole batch, as batched runs are to single ones (the batcher's contract).
            using var partsWinograd = Open(folder, isa, Everything(imagesPerPart));
            using var wholeWinograd = Open(folder, isa, depthFirst: null);
            Assert.That(partsWinograd.Run(input).Floats.ToArray(), Is.EqualTo(wholeWinograd.Run(input).Floats.ToArray()), $"{name} with Winograd on {isa}");
        }
    }

    [Test]
    public void DefaultTuning_ResNet50_CutAfterLayer3Block0AtBatch8_NoneAtBatch1()
    {
        // The default (one image per part, layers over 16 MB at the whole batch): ResNet-50's 56×56 and 28×28 layers
        // at batch 8, to the end of the first 14×14 block, where its stride-2 1×1 and 3×3 still read 28×28 values.
        string folder = Zoo("resnet50");
        using var session = Open(folder, CpuIsas.Blocked.First(), depthFirst: null);
        ExecutionPlan batch8 = session.PlanForShapes([[8, 3, 224, 224]]), batch1 = session.PlanForShapes([[1, 3, 224, 224]]);
        var pass = new DepthFirstPrefix(DepthFirstTuning.Default.ImagesPerPart, DepthFirstTuning.Default.BatchBytesAbove, DepthFirstTuning.Default.PartBytesAtMost);
        Assert.That(pass.Find(batch1), Is.Null, "one image: nothing to split");
        var (input, cut) = pass.Find(batch8) ?? throw new AssertionException("batch 8 takes a prefix");
        Assert.That(input, Is.EqualTo(batch8.Inputs[0]));
        Assert.That(batch8.Steps[cut].Node.Name, Does.StartWith("/layer3/layer3.0/"), "the cut is the first 14×14 block's output");
        Assert.That(batch8.Steps[cut + 1].Node.Name, Does.StartWith("/layer3/layer3.1/"));
        ExecutionPlan rewritten = pass.Apply(batch8);
        Assert.That(rewritten.Steps.Count(s => s.Node.Op is SplitOp), Is.EqualTo(1));
        Assert.That(rewritten.Steps.Count, Is.EqualTo(batch8.Steps.Count + 7 * (cut + 1) + 2), "eight parts of the prefix, a split and a concat");
        Assert.That(new DepthFirstPrefix(1, DepthFirstTuning.Default.BatchBytesAbove, partBytesAtMost: 1 << 20).Find(batch8), Is.Null,
            "the stem's part (3.8 MB) over a 1 MB cap: no prefix");
    }

    [Test]
    public void ValueReadOut_EndsThePrefixBeforeIt_AnswersUnchanged()
    {
        // A value the caller reads out is a plan output: the prefix must not write it in parts.
        string folder = Zoo("tiny_resnet_basic");
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        CpuIsa isa = BlockedTiers.First();
        ModelGraph graph = OnnxImporter.Load(Path.Combine(folder, "model.onnx"));
        string readOut = graph.Nodes.First(n => n.OpType == "MaxPool").Outputs[0];
        var options = new SessionOptions { ExtraOutputs = [readOut] };
        using var parts = Open(folder, isa, Everything(1), options: options);
        using var whole = Open(folder, isa, depthFirst: null, options: options);
        ExecutionPlan plan = parts.PlanForShapes([input.Shape()]);
        int concat = plan.Steps.ToList().FindIndex(s => s.Node.Op is ConcatOp);
        Assert.That(plan.Steps.Take(concat).SelectMany(s => s.Outputs).Any(plan.Outputs.Contains), Is.False, "no part writes a plan output");
        var a = parts.Run(new Dictionary<string, Tensor> { [parts.Inputs[0].Name] = input });
        var b = whole.Run(new Dictionary<string, Tensor> { [whole.Inputs[0].Name] = input });
        foreach (string key in b.Keys) TensorAssert.Close(b[key], a[key], 1e-5, 1e-6, key);
    }

    [Test]
    public void Operators_SayWhichConstantsImagesShare()
    {
        static ValueInfo Value(int[] dims, bool constant = false) =>
            new("v", ElementType.Float32, dims, constant ? Tensor.Create(ElementType.Float32, dims) : null);
        ValueInfo x = Value([4, 8, 5, 5]), y = Value([4, 8, 5, 5]);
        var add = new BinaryOp(BinaryKind.Add);
        Assert.That(add.ImagesIndependent([x, Value([1, 8, 1, 1], constant: true)], [y]), Is.True, "a broadcast bias");
        Assert.That(add.ImagesIndependent([x, Value([8, 5, 5], constant: true)], [y]), Is.True, "a lower-rank constant");
        Assert.That(add.ImagesIndependent([x, Value([4, 8, 5, 5], constant: true)], [y]), Is.False, "a constant with one row per image");
        Assert.That(add.ImagesIndependent([x, x], [y]), Is.True);

        var conv = new ConvOp(new WindowAttributes(null, null, null, null, AutoPad.NotSet), 1);
        ValueInfo w = Value([8, 8, 3, 3], constant: true), b = Value([8], constant: true);
        Assert.That(conv.ImagesIndependent([x, w, b], [y]), Is.True);
        Assert.That(conv.ImagesIndependent([x, Value([8, 8, 3, 3]), b], [y]), Is.False, "weights computed at run time");
        var fused = conv.With(new ConvEpilogue(Residual: true, Relu: true));
        Assert.That(fused.ImagesIndependent([x, w, b, y], [y]), Is.True, "a residual of the output's own images");
        Assert.That(fused.ImagesIndependent([x, w, b, Value([4, 8, 5, 5], constant: true)], [y]), Is.False, "a constant residual");

        var maxPool = new PoolOp(PoolKind.Max, new WindowAttributes([2, 2], null, null, null, AutoPad.NotSet), false, 0);
        Assert.That(maxPool.ImagesIndependent([x], [y]), Is.True);
        Assert.That(maxPool.ImagesIndependent([x], [y, Value([4, 8, 5, 5])]), Is.False, "indices count across the batch");
        Assert.That(new SoftmaxOp(1, false).ImagesIndependent([x], [y]), Is.False, "unless an operator says so");
    }
}
