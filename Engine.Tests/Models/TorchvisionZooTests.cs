using System.Diagnostics;
using System.Text.Json;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Models;

/// <summary>
/// torchvision's residual family, exported by tools/reference/export_torchvision.py with random weights and
/// randomised, calibrated BatchNorm statistics: Cardinal's output must match PyTorch's at rtol 1e-3 /
/// atol 1e-4, element by element (batch 2; 224×224 for the full image models, 64×64 for the small ones).
/// The video ResNet r3d_18 (8×56×56 clips) and its one-block-per-stage twin tiny_r3d (8×32×32) run 3-D
/// convolutions down to depth 1 in layer4 (8 → 4 → 2 → 1), where a kernel bug once made every output wrong.
/// </summary>
[TestFixture]
public class TorchvisionZooTests
{
    public static readonly string[] FullModels =
    [
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
        "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
        "r3d_18",
    ];

    public static readonly string[] SmallModels = ["tiny_resnet_basic", "tiny_resnet_bottleneck", "tiny_resnext_8x4d", "tiny_wide_resnet", "tiny_r3d"];

    public static string ZooFolder => Path.Combine(References.Cache, "torchvision", "current");

    [TestCaseSource(nameof(SmallModels))]
    public void SmallModel_MatchesPyTorch(string name) => CheckModel(name);

    [TestCaseSource(nameof(FullModels)), Category("Zoo")]
    public void FullModel_MatchesPyTorch(string name) => CheckModel(name);

    /// <summary>
    /// The fallback paths end to end: every instruction-set tier this machine can run, forced, on every small
    /// model (basic and bottleneck blocks, groups, width) and on every full one.
    /// </summary>
    [TestCaseSource(nameof(SmallModels))]
    public void SmallModel_EveryIsaTier_MatchesPyTorch(string name) => CheckEveryTier(name);

    [TestCaseSource(nameof(FullModels)), Category("Zoo")]
    public void FullModel_EveryIsaTier_MatchesPyTorch(string name) => CheckEveryTier(name);

    private static void CheckEveryTier(string name)
    {
        string folder = Path.Combine(ZooFolder, name);
        References.Require(Path.Combine(folder, "output.npy"), "Run tools/reference/generate.sh (or tools/test.sh).");
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        Tensor expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        foreach (CpuIsa isa in CpuIsas.Supported)
        {
            using var session = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")),
                new CpuBackend(new CpuBackendOptions { Threads = 2, MaxIsa = isa }));
            Assert.That(((CpuBackend)session.Backend).Platform.Isa, Is.EqualTo(isa));
            TensorAssert.Close(expected, session.Run(input), 1e-3, 1e-4, $"{name} on {isa}");
        }
    }

    private static void CheckModel(string name)
    {
        string folder = Path.Combine(ZooFolder, name);
        References.Require(Path.Combine(folder, "output.npy"), "Run tools/reference/generate.sh (or tools/test.sh).");
        var load = Stopwatch.StartNew();
        using var session = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")),
            new CpuBackend(new CpuBackendOptions { Threads = Environment.ProcessorCount }));
        load.Stop();
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        Tensor expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        var run = Stopwatch.StartNew();
        Tensor actual = session.Run(input);
        run.Stop();
        var (maxAbs, maxRel) = TensorAssert.Errors(expected, actual);
        var (ratio, _, _, _) = TensorAssert.WorstViolation(expected, actual, 1e-3, 1e-4);
        TestContext.Progress.WriteLine($"{name}: max abs error {maxAbs:G3}, max rel error {maxRel:G3}, worst tolerance use {ratio:P0}; " +
            $"load {load.Elapsed.TotalSeconds:F2} s, batch-{input.Dims[0]} run {run.Elapsed.TotalSeconds:F2} s (first run, includes planning)");
        TensorAssert.Close(expected, actual, 1e-3, 1e-4, name);
    }
}
