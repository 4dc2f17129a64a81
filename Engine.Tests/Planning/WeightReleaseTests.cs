using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Graph;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Gpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Planning;

/// <summary>
/// The weights a session folds are its own: once the CPU backend holds them packed, their data goes, and every
/// later plan (another batch size) finds the packed copy. The caller's tensors are never touched.
/// </summary>
[TestFixture]
public class WeightReleaseTests
{
    private static string Model(string name)
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, name);
        References.Require(Path.Combine(folder, "output.npy"), References.RunTestScript);
        return folder;
    }

    /// <summary>The weights of the model's convolutions (rank-4 initializers).</summary>
    private static List<Tensor> ConvWeights(ModelGraph graph) => [.. graph.Initializers.Values.Where(t => t.Rank == 4)];

    [TestCase("tiny_resnet_bottleneck"), TestCase("tiny_resnext_8x4d")]
    public void OwnedGraph_WeightsReleasedAfterPacking_LaterPlansStillMatchPyTorch(string name)
    {
        string folder = Model(name);
        ModelGraph source = OnnxImporter.Load(Path.Combine(folder, "model.onnx"));
        using var session = InferenceSession.Open(source, new CpuBackend(new CpuBackendOptions { Threads = 2 }), ownsGraph: true);

        // Open planned batch 1: every convolution weight the GEMM runs from a packed copy is released; a narrow
        // grouped layer (read as it is by the direct kernel) keeps its weights; the classifier's are read as they are.
        var weights = ConvWeights(session.Graph);
        int released = weights.Count(t => t.IsReleased);
        TestContext.Progress.WriteLine($"{name}: {released} of {weights.Count} convolution weight tensors released");
        Assert.That(released, Is.GreaterThan(weights.Count / 2), "most weights go once packed");
        if (name.Contains("resnext")) Assert.That(released, Is.LessThan(weights.Count), "the narrow grouped layers keep theirs");
        Assert.That(session.Graph.Initializers.Values.Where(t => t.Rank == 2).Any(t => t.IsReleased), Is.False, "the Gemm head's weights stay");
        Assert.That(() => weights.First(t => t.IsReleased).Floats.ToArray(), Throws.InstanceOf<CardinalException>().With.Message.Contains("released"));

        // A plan at another batch size (the reference's batch 2) reads the packed copies and matches PyTorch.
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy")), expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        TensorAssert.Close(expected, session.Run(input), 1e-3, 1e-4, $"{name} after its weights were released");
    }

    [Test]
    public void CallersGraph_NothingReleased_AndASecondSessionOnItRuns()
    {
        string folder = Model("tiny_resnet_basic");
        ModelGraph source = OnnxImporter.Load(Path.Combine(folder, "model.onnx"));
        using var first = InferenceSession.Open(source, new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        Assert.That(source.Initializers.Values.Any(t => t.IsReleased), Is.False, "the caller may share its graph");
        using var second = InferenceSession.Open(source, new CpuBackend(new CpuBackendOptions { Threads = 1, MaxIsa = CpuIsa.Scalar }));
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy")), expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        TensorAssert.Close(expected, second.Run(input), 1e-3, 1e-4, "a second backend packs the shared weights again");
    }

    [Test]
    public void BatchNormFoldedHere_ReleasedEvenWhenTheCallerKeepsTheGraph()
    {
        // The small net with a BatchNorm after its first convolution: the fold makes a weight tensor that is the session's own.
        string path = WeightSharingTests.ConvBnModel();
        try
        {
            ModelGraph source = OnnxImporter.Load(path);
            using var session = InferenceSession.Open(source, new CpuBackend(new CpuBackendOptions { Threads = 1 }));
            var folded = session.Graph.Initializers.Where(p => p.Key.EndsWith("::bn_folded_W", StringComparison.Ordinal)).Select(p => p.Value).ToList();
            Assert.That(folded, Is.Not.Empty);
            Assert.That(folded.All(t => t.IsReleased), Is.True, "the folded weights are the session's and are packed");
            Assert.That(source.Initializers.Values.Any(t => t.IsReleased), Is.False);
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void OwnedGraph_WinogradChoiceDiffersAtAnotherPlaneSize_TakesTheFormAlreadyPacked()
    {
        // One 3×3 convolution with free height and width: at 8×8 (4 tiles) it takes F(2×2) and the session drops the raw
        // weights; at 32×32 (64 tiles) F(4×4) would be chosen, which cannot be made any more, so the F(2×2) filters run.
        var random = new Random(3);
        float[] w = [.. Enumerable.Range(0, 16 * 16 * 9).Select(_ => (float)(random.NextDouble() - 0.5))];
        byte[] model = OnnxWriter.Model(13,
            [OnnxWriter.Node("Conv", ["X", "W"], ["Y"], "conv", OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1))],
            [OnnxWriter.Tensor("W", OnnxWriter.Float, [16, 16, 3, 3], floats: w)],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 16, -1, -1)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 16, -1, -1)]);
        string path = TestModels.WriteTemp(model, "free-plane-conv");
        try
        {
            using var owner = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 2 }), ownsGraph: true);
            References.RequireBlockedTier(((CpuBackend)owner.Backend).Platform.BlockSize > 0, "the Winograd release fallback");
            owner.Run(Tensor.FromArray(TestModels.RandomData(16 * 8 * 8, 5), 1, 16, 8, 8));
            Assert.That(ConvWeights(owner.Graph).All(t => t.IsReleased), Is.True, "packed at 8×8, then dropped");
            var large = Tensor.FromArray(TestModels.RandomData(16 * 32 * 32, 6), 1, 16, 32, 32);
            using var plain = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 2 }));
            TensorAssert.Close(plain.Run(large), owner.Run(large), 1e-4, 1e-5, "32×32 after 8×8 released the weights");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void OwnedGraph_WinogradTileLanesAfterTheGroupedForm_TakesTheFormAlreadyPacked()
    {
        // F(2×2) both times: at 16×16 (64 tiles, wide chunks) U is packed in groups of register-tile blocks and the raw
        // weights dropped; at 8×8 (16 tiles) the products would run with the tiles in the lanes over U by single blocks,
        // which cannot be packed any more, so the tile kernels run over the groups held (the same sums).
        var random = new Random(4);
        float[] w = [.. Enumerable.Range(0, 48 * 40 * 9).Select(_ => (float)(random.NextDouble() - 0.5))];
        byte[] model = OnnxWriter.Model(13,
            [OnnxWriter.Node("Conv", ["X", "W"], ["Y"], "conv", OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1))],
            [OnnxWriter.Tensor("W", OnnxWriter.Float, [48, 40, 3, 3], floats: w)],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 40, -1, -1)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 48, -1, -1)]);
        string path = TestModels.WriteTemp(model, "free-plane-conv-lanes");
        try
        {
            using var owner = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 2 }), ownsGraph: true);
            References.RequireBlockedTier(((CpuBackend)owner.Backend).Platform.BlockSize > 0, "the Winograd release fallback");
            owner.Run(Tensor.FromArray(TestModels.RandomData(40 * 16 * 16, 7), 1, 40, 16, 16));
            Assert.That(ConvWeights(owner.Graph).All(t => t.IsReleased), Is.True, "packed at 16×16, then dropped");
            var small = Tensor.FromArray(TestModels.RandomData(40 * 8 * 8, 8), 1, 40, 8, 8);
            using var plain = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 2 }));
            TensorAssert.Close(plain.Run(small), owner.Run(small), 1e-4, 1e-5, "8×8 after 16×16 released the weights");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void GpuSession_ReleasesNothing_TheDeviceCopiesAtEachCompile()
    {
        string folder = Model("tiny_resnet_basic");
        using var session = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")),
            new GpuBackend(Device.IlgpuCpu, new CpuBackend(new CpuBackendOptions { Threads = 1 })));
        Assert.That(session.Graph.Initializers.Values.Any(t => t.IsReleased), Is.False);
    }
}
