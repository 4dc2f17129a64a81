using Cardinal.Formats.Images;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Images;

/// <summary>
/// The mlnet-resnet18 preset is what ML.NET's companion ResNetPreprocess.onnx does: proven by running, for
/// real photos, ONNX Runtime on companion + model (fed the same resized RGB 0–255 crop) against Cardinal's
/// preset + model. Embeddings must agree within rtol 1e-3.
/// </summary>
[TestFixture]
public class DefaultModelEmbeddingTests
{
    private static string Companion => Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet-preprocess.onnx");

    [TestCase("astronaut.png"), TestCase("chelsea.png"), TestCase("coffee.png"), TestCase("rocket.jpg")]
    public void RealPhoto_EmbeddingMatchesOnnxRuntimeWithCompanionPreprocess(string file)
    {
        References.Require(Path.Combine(PreprocessingTests.Folder, file), References.RunTestScript);
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        PreprocessOptions preset = PreprocessPresets.MlNetResNet18(Companion);
        var decoder = new ImageSharpDecoder();
        RgbImage image = ImageFiles.Read(Path.Combine(PreprocessingTests.Folder, file), decoder, decoder.Limits);

        float[] ours = new float[3 * 224 * 224];
        ImagePreprocessor.Apply(image, preset, ours);
        using var session = InferenceSession.Open(OnnxImporter.Load(DefaultModelTests.ModelPath), new CpuBackend());
        Tensor embedding = session.Run(Tensor.FromArray(ours, 1, 3, 224, 224));

        // ONNX Runtime: the same crop as RGB planes of 0–255, through the companion, then the model.
        RgbImage crop = ImagePreprocessor.ResizeAndCrop(image, preset);
        float[] planes = new float[3 * 224 * 224];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 224 * 224; i++) planes[c * 224 * 224 + i] = crop.Pixels[i * 3 + c];
        using var prep = new Microsoft.ML.OnnxRuntime.InferenceSession(Companion);
        using var prepOut = prep.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", new DenseTensor<float>(planes, [1, 3, 224, 224]))]);
        float[] prepared = prepOut.Single().AsTensor<float>().ToArray();
        Assert.That(ours, Is.EqualTo(prepared).Within(1e-4), "preset output equals the companion graph's output");

        using var model = new Microsoft.ML.OnnxRuntime.InferenceSession(DefaultModelTests.ModelPath);
        using var modelOut = model.Run([NamedOnnxValue.CreateFromTensor(session.Inputs[0].Name, new DenseTensor<float>(prepared, [1, 3, 224, 224]))]);
        var ortEmbedding = modelOut.Single().AsTensor<float>();
        Tensor expected = Tensor.FromArray(ortEmbedding.ToArray(), ortEmbedding.Dimensions.ToArray());
        var (maxAbs, maxRel) = TensorAssert.Errors(expected, embedding);
        TestContext.Progress.WriteLine($"embedding {file} vs ONNX Runtime (companion + model): max abs {maxAbs:G3}, max rel {maxRel:G3}");
        TensorAssert.Close(expected, embedding, 1e-3, 1e-5, file);
    }
}
