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
    public void OwnedGraph_WinogradChoiceDiffersAtAnotherPlaneSize_TakesTheFormAlreadyPacked() =>
        // At 8×8 (4 F(4×4) tiles) the layer takes F(2×2), its 16 tiles with the tiles in the lanes (U by single blocks on
        // AVX-512), and the session drops the raw weights; at 32×32 (64 tiles) F(4×4) would be chosen, which cannot be made
        // any more, so the F(2×2) filters run, through the tile kernels over the form held.
        RunAfterRelease(3, 16, 16, 8, 32);

    [Test]
    public void OwnedGraph_WinogradTileLanesAfterTheGroupedForm_TakesTheFormAlreadyPacked() =>
        // F(2×2) both times: at 16×16 (64 tiles, wide chunks) U is packed in groups of register-tile blocks and the raw
        // weights dropped; at 8×8 (16 tiles) the products would run with the tiles in the lanes over U by single blocks,
        // which cannot be packed any more, so the tile kernels run over the groups held (the same sums).
        RunAfterRelease(4, 40, 48, 16, 8);

    /// <summary>
    /// One padded 3×3 convolution with free height and width, in a session that owns its graph on 2 threads: run at
    /// <paramref name="first"/>² (packing its weights and dropping the raw ones), then at <paramref name="second"/>²,
    /// whose answer must match a plain session's.
    /// </summary>
    private static void RunAfterRelease(int seed, int inChannels, int outChannels, int first, int second)
    {
        var random = new Random(seed);
        float[] w = [.. Enumerable.Range(0, outChannels * inChannels * 9).Select(_ => (float)(random.NextDouble() - 0.5))];
        byte[] model = OnnxWriter.Model(13,
            [OnnxWriter.Node("Conv", ["X", "W"], ["Y"], "conv", OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1))],
            [OnnxWriter.Tensor("W", OnnxWriter.Float, [outChannels, inChannels, 3, 3], floats: w)],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, inChannels, -1, -1)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, outChannels, -1, -1)]);
        string path = TestModels.WriteTemp(model, "free-plane-conv");
        try
        {
            using var owner = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 2 }), ownsGraph: true);
            References.RequireBlockedTier(((CpuBackend)owner.Backend).Platform.BlockSize > 0, "the Winograd release fallback");
            owner.Run(Tensor.FromArray(TestModels.RandomData(inChannels * first * first, seed + 2), 1, inChannels, first, first));
            Assert.That(ConvWeights(owner.Graph).All(t => t.IsReleased), Is.True, $"packed at {first}×{first}, then dropped");
            var later = Tensor.FromArray(TestModels.RandomData(inChannels * second * second, seed + 3), 1, inChannels, second, second);
            using var plain = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 2 }));
            TensorAssert.Close(plain.Run(later), owner.Run(later), 1e-4, 1e-5, $"{second}×{second} after {first}×{first} released the weights");
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
