using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Planning;

/// <summary>
/// The CPU backend's NCHWc layout pass on whole models: where it puts reorders, which steps it blocks, and that
/// the answers stay PyTorch's on every tier that has a block size (and that the other tiers are left alone).
/// </summary>
[TestFixture]
public class NchwcLayoutPassTests
{
    private static IEnumerable<CpuIsa> BlockedTiers => CpuIsas.Blocked;

    private static InferenceSession Open(string folder, CpuIsa isa, bool blocked, bool direct = true) =>
        InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")),
            new CpuBackend(new CpuBackendOptions { Threads = 2, MaxIsa = isa, BlockedLayout = blocked, BlockedDirectKernels = direct }));

    private static string Zoo(string name)
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, name);
        References.Require(Path.Combine(folder, "output.npy"), References.RunTestScript);
        return folder;
    }

    [TestCase("tiny_resnet_basic"), TestCase("tiny_resnet_bottleneck"), TestCase("tiny_wide_resnet"), TestCase("resnet50")]
    public void TorchvisionResNet_StemReadsTheImageOneReorderBeforeTheHead_MatchesPyTorch(string name)
    {
        string folder = Zoo(name);
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy")), expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        foreach (CpuIsa isa in BlockedTiers)
        {
            using var session = Open(folder, isa, blocked: true);
            var plan = session.PlanForShapes([input.Shape()]);
            int block = CpuPlatform.Create(isa).BlockSize;
            string[] ops = plan.Steps.Select(s => s.Node.OpType).ToArray();
            Assert.That(ops.Count(o => o == "ReorderToBlocked"), Is.EqualTo(0), $"{name} on {isa}: {string.Join(" ", ops)}");
            Assert.That(ops.Count(o => o == "ReorderFromBlocked"), Is.EqualTo(1), $"{name} on {isa}: {string.Join(" ", ops)}");
            Assert.That(ops.Count(o => o == "Conv"), Is.EqualTo(0), "every convolution runs blocked, the 3-channel stem too");
            Assert.That(plan.Steps.First().Node.Op, Is.InstanceOf<BlockedConvOp>(), "the stem comes first");
            Assert.That(plan.Steps.First().Inputs[0], Is.EqualTo(plan.Inputs[0]), "and reads the image as it is");
            // AVX-512 reads the image in place (NchwStemPlan), AVX2 folds its kernel columns into channels (FoldedStemPlan).
            Assert.That(session.CompiledPlanFor([input.Shape()]).DescribeStep(0), Does.Contain(isa == CpuIsa.Avx512 ? "read from the NCHW image" : "stem folded"));
            Assert.That(ops, Does.Contain("BlockedGlobalAveragePool"));
            Assert.That(plan.Steps.Where(s => s.Node.Op is BlockedConvOp).All(s => plan.Values[s.Outputs[0]].Dims[1] % block == 0), Is.True);
            TensorAssert.Close(expected, session.Run(input), 1e-3, 1e-4, $"{name} blocked on {isa}");
        }
    }

    [TestCase("tiny_resnet_basic"), TestCase("tiny_resnet_bottleneck"), TestCase("tiny_resnext_8x4d"), TestCase("tiny_wide_resnet")]
    public void BlockedThroughNchwPlans_BitIdenticalToNchw(string name)
    {
        // With every blocked convolution running its NCHW plan between reorders, the pass changes where data
        // lives, never the arithmetic: reorders are copies, the blocked pools compare and sum as the NCHW ones do.
        string folder = Zoo(name);
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        foreach (CpuIsa isa in BlockedTiers)
        {
            using var blocked = Open(folder, isa, blocked: true, direct: false);
            using var plain = Open(folder, isa, blocked: false);
            var plan = blocked.PlanForShapes([input.Shape()]);
            var compiled = blocked.CompiledPlanFor([input.Shape()]);
            Assert.That(Enumerable.Range(0, plan.Steps.Count).Where(s => plan.Steps[s].Node.Op is BlockedConvOp)
                .All(s => compiled.DescribeStep(s)!.Contains("between reorders")), Is.True);
            Assert.That(blocked.Run(input).Floats.ToArray(), Is.EqualTo(plain.Run(input).Floats.ToArray()), $"{name} on {isa}");
        }
    }

    [Test]
    public void BlockedTuningOption_ReachesEveryDirectPlan_AnswersStayPyTorchs()
    {
        // The backend's tuning (what `Engine.Bench ab` compares) must reach the kernels: every input block in a pass of
        // its own sums the 256- to 1024-channel layers in another order, so some bits change, and the answers stay close.
        string folder = Zoo("tiny_resnet_bottleneck");
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy")), expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        CpuIsa isa = BlockedTiers.First();
        using var byDefault = Open(folder, isa, blocked: true);
        using var perBlock = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")),
            new CpuBackend(new CpuBackendOptions { Threads = 2, MaxIsa = isa, BlockedTuning = Cardinal.Kernels.Cpu.Nchwc.BlockedTuning.PassPerBlock }));
        float[] a = byDefault.Run(input).Floats.ToArray(), b = perBlock.Run(input).Floats.ToArray();
        Assert.That(b, Is.Not.EqualTo(a), $"{isa}: passes of one block summed in the default order");
        TensorAssert.Close(expected, perBlock.Run(input), 1e-3, 1e-4, $"passes of one block on {isa}");
    }

    [Test]
    public void GroupedModel_GroupedLayersRunBlocked_OneReorderBeforeTheHead_MatchesPyTorch()
    {
        string folder = Zoo("tiny_resnext_8x4d");
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy")), expected = NpyFile.Read(Path.Combine(folder, "output.npy"));
        foreach (CpuIsa isa in BlockedTiers)
        {
            using var session = Open(folder, isa, blocked: true);
            var plan = session.PlanForShapes([input.Shape()]);
            Assert.That(plan.Steps.Any(s => s.Node.Op is ConvOp), Is.False, "ResNeXt's 4-channel groups run blocked too (block-diagonal)");
            Assert.That(plan.Steps.Count(s => s.Node.Op is BlockedConvOp { Conv.Group: > 1 }), Is.GreaterThan(0));
            Assert.That(plan.Steps.Count(s => s.Node.Op is ReorderToBlockedOp), Is.EqualTo(0), "the stem reads the image");
            Assert.That(plan.Steps.Count(s => s.Node.Op is ReorderFromBlockedOp), Is.EqualTo(1));
            TensorAssert.Close(expected, session.Run(input), 1e-3, 1e-4, $"blocked ResNeXt on {isa}");
        }
    }

    [Test]
    public void TiersWithoutBlocks_PassIsNotThere()
    {
        foreach (CpuIsa isa in CpuIsas.Supported.Where(i => CpuPlatform.Create(i).BlockSize == 0))
        {
            using var backend = new CpuBackend(new CpuBackendOptions { MaxIsa = isa, BlockedLayout = true });
            Assert.That(((IBackend)backend).Passes, Is.Empty, $"{isa} has no blocked kernels");
        }
        using var off = new CpuBackend(new CpuBackendOptions { BlockedLayout = false });
        Assert.That(((IBackend)off).Passes, Is.Empty, "switched off");
    }
}
