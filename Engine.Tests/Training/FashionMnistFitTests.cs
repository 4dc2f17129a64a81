using System.Diagnostics;
using System.Text.Json;
using Cardinal.Cli.Commands;
using Cardinal.Formats.Images;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Cardinal.Learning;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cardinal.Tests.Training;

/// <summary>
/// Transfer learning on a real data set: `cardinal fit` on 2,000 Fashion-MNIST photos (tools/fashion-mnist.py's
/// fixed stratified subset) with the bundled ResNet-18, checked against scikit-learn on the same embeddings,
/// split and λ; then `classify` on the 1,000 test photos, with ONNX Runtime's top-1 on the exported file equal
/// to Cardinal's on every one. A few minutes on 2 cores (embedding 3,000 images twice over dominates).
/// </summary>
[TestFixture]
public class FashionMnistFitTests
{
    public static string Subset => Path.Combine(References.Cache, "fashion-mnist", "subset-v1");

    private TempCacheFolder? _temp;
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        References.Require(Path.Combine(Subset, "DONE"), "Run tools/fashion-mnist.py (needs Debian's dataset-fashion-mnist and python3-pil), or tools/test.sh.");
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        _temp = new TempCacheFolder("cardinal-fashion-");
        _dir = _temp.Path;
    }

    [TearDown]
    public void TearDown() => _temp?.Dispose();

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliRun.Run(args);

    [Test]
    public void Fit_FashionMnist_AsAccurateAsScikitLearn_AndOnnxRuntimeAgreesOnEveryTestImage()
    {
        string train = Path.Combine(Subset, "train"), test = Path.Combine(Subset, "test"), model = Path.Combine(_dir, "fashion.onnx");
        var fit = Cli("fit", train, "--out", model, "--json", "--seed", "0");
        Assert.That(fit.Code, Is.EqualTo(0), fit.Err);
        using var report = JsonDocument.Parse(fit.Out);
        double accuracy = report.RootElement.GetProperty("accuracy").GetDouble(), lambda = report.RootElement.GetProperty("lambda").GetDouble();
        var seconds = report.RootElement.GetProperty("seconds");

        // scikit-learn on the very embeddings fit used (read back from its cache), the same split and λ.
        var dataset = FitDataset.Scan(train);
        string fingerprint;
        using (var pipeline = ImagePipeline.Create(new ImageModelOptions())) fingerprint = pipeline.Fingerprint();
        var cache = new EmbeddingCache(fingerprint);
        var rows = dataset.Files.Select(f => cache.TryGet(f) ?? throw new AssertionException($"no cached embedding for {f}")).ToList();
        int d = rows[0].Length;
        var (trainIdx, testIdx) = StratifiedSplit.Holdout(dataset.Labels, dataset.Classes.Length, 0.2, seed: 0);
        float[] Matrix(int[] idx) => [.. idx.SelectMany(i => rows[i])];
        var sklearn = ScikitLearnReference.Fit(Matrix(trainIdx), trainIdx.Length, d, [.. trainIdx.Select(i => dataset.Labels[i])], lambda, Matrix(testIdx), testIdx.Length);
        double sklearnAccuracy = testIdx.Zip(sklearn.Predictions).Count(p => dataset.Labels[p.First] == p.Second) / (double)testIdx.Length;
        TestContext.Progress.WriteLine($"Fashion-MNIST fit: held-out accuracy {accuracy:P2}, scikit-learn {sklearnAccuracy:P2} (λ {lambda}, {testIdx.Length} held out); "
            + $"embedding {seconds.GetProperty("embedding").GetDouble():F1} s, training {seconds.GetProperty("training").GetDouble():F1} s");
        Assert.That(accuracy, Is.GreaterThanOrEqualTo(sklearnAccuracy - 0.01));
        Assert.That(accuracy, Is.GreaterThan(0.6), "a pretrained backbone separates clothing far better than chance (10 %)");

        // classify the 1,000 test photos with nothing but the exported file.
        var testSet = FitDataset.Scan(test);
        string[] classFolders = [.. testSet.Classes.Select(c => Path.Combine(test, c))];
        var classify = Cli(["classify", "--model", model, "--json", "--top", "1", .. classFolders]);
        Assert.That(classify.Code, Is.EqualTo(0), classify.Err);
        using var classified = JsonDocument.Parse(classify.Out);
        var ours = classified.RootElement.GetProperty("images").EnumerateArray().ToDictionary(
            i => i.GetProperty("file").GetString()!, i => i.GetProperty("top")[0]);
        Assert.That(ours.Count, Is.EqualTo(testSet.Files.Length));
        int correct = testSet.Files.Select((f, i) => ours[f].GetProperty("label").GetString() == testSet.Classes[testSet.Labels[i]]).Count(c => c);
        TestContext.Progress.WriteLine($"Fashion-MNIST classify: test accuracy {correct / (double)testSet.Files.Length:P2} on {testSet.Files.Length} images");

        // ONNX Runtime on the same file and the same preprocessed pixels: the same top-1 on every image.
        var preset = PreprocessPresets.MlNetResNet18(Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet-preprocess.onnx"));
        using var ort = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
        string inputName = ort.InputMetadata.Keys.Single();
        var decoder = new ImageSharpDecoder();
        int size = 3 * 224 * 224, disagreements = 0;
        var clock = Stopwatch.StartNew();
        foreach (var chunk in testSet.Files.Chunk(32))
        {
            var pixels = new float[chunk.Length * size];
            string?[] errors = ImageBatch.LoadInto(chunk, [.. Enumerable.Range(0, chunk.Length).Select(i => pixels.AsMemory(i * size, size))],
                preset, decoder, decoder.Limits, Environment.ProcessorCount);
            Assert.That(errors, Is.All.Null);
            for (int i = 0; i < chunk.Length; i++)
            {
                using var results = ort.Run([NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(pixels.AsMemory(i * size, size), [1, 3, 224, 224]))]);
                float[] p = results.Single().AsTensor<float>().ToArray();
                int best = Array.IndexOf(p, p.Max());
                if (best != ours[chunk[i]].GetProperty("class").GetInt32()) disagreements++;
            }
        }
        TestContext.Progress.WriteLine($"ONNX Runtime on the exported file: {disagreements} top-1 disagreements in {testSet.Files.Length} ({clock.Elapsed.TotalSeconds:F0} s)");
        Assert.That(disagreements, Is.EqualTo(0));
    }
}
