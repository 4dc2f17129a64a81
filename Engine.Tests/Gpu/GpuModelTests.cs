using System.Diagnostics;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Gpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Gpu;

/// <summary>
/// Reduced-width torchvision models end to end through the GPU kernels on ILGPU's CPU accelerator, against
/// PyTorch at the zoo's tolerances (rtol 1e-3, atol 1e-4). The accelerator simulates a GPU thread by thread,
/// so only the small models run here; the full zoo runs on a real GPU in tools/gpu-check.sh.
/// </summary>
[TestFixture, NonParallelizable]
public class GpuModelTests
{
    [TestCase("tiny_resnet_basic"), TestCase("tiny_resnext_8x4d")]
    public void SmallModel_OnIlgpuCpu_MatchesPyTorch(string name)
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, name);
        References.Require(Path.Combine(folder, "output.npy"), References.RunTestScript);
        var clock = Stopwatch.StartNew();
        using var session = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), new GpuBackend(Device.IlgpuCpu, new CpuBackend(new CpuBackendOptions { Threads = 1 })));
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        Tensor expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        Tensor actual = session.Run(input);
        var (maxAbs, maxRel) = TensorAssert.Errors(expected, actual);
        TestContext.Progress.WriteLine($"{name} on ILGPU's CPU accelerator: max abs {maxAbs:G3}, max rel {maxRel:G3}, {clock.Elapsed.TotalSeconds:F1} s");
        TensorAssert.Close(expected, actual, 1e-3, 1e-4, name);
    }
}
