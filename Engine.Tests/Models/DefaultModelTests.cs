using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Models;

/// <summary>
/// The real, ImageNet-pretrained ResNet-18 from Microsoft.ML.DnnImageFeaturizer.ResNet18 (our bundled
/// default) against ONNX Runtime 1.31.1 on the same seeded random input.
/// </summary>
[TestFixture]
public class DefaultModelTests
{
    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet.onnx");

    [Test]
    public void PretrainedResNet18_RandomInput_MatchesOnnxRuntime()
    {
        References.Require(ModelPath, "Build the test project: it restores the Microsoft.ML.DnnImageFeaturizer.ResNet18 package.");
        using var session = InferenceSession.Open(OnnxImporter.Load(ModelPath), new CpuBackend());
        var info = session.Inputs.Single();
        int[] dims = info.Dims!.Select(d => d.Size ?? 1).ToArray();
        var random = new Random(1234);
        float[] data = new float[dims.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);

        Tensor ours = session.Run(Tensor.FromArray(data, dims));

        using var ort = new Microsoft.ML.OnnxRuntime.InferenceSession(ModelPath);
        var ortInput = NamedOnnxValue.CreateFromTensor(info.Name, new DenseTensor<float>(data, dims));
        using var results = ort.Run([ortInput]);
        var ortOut = results.Single().AsTensor<float>();
        Tensor expected = Tensor.FromArray(ortOut.ToArray(), ortOut.Dimensions.ToArray());

        var (maxAbs, maxRel) = TensorAssert.Errors(expected, ours);
        TestContext.Progress.WriteLine($"ResNet-18 (ML.NET) vs ONNX Runtime: max abs {maxAbs:G3}, max rel {maxRel:G3}, output {ours}");
        Assert.That(expected.Floats.ToArray().Count(v => v != 0), Is.GreaterThan(100), "the reference output should not be trivially zero");
        TensorAssert.Close(expected, ours, 1e-3, 1e-5, "resnet18-mlnet");
    }
}
