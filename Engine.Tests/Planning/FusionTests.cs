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
        InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = 2 }), new SessionOptions { Fuse = fuse });

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
