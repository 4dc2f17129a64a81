using System.Text.Json;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Images;

/// <summary>The embed, similar and classify jobs through the CLI's entry point, on real photos.</summary>
[TestFixture]
public class ImageJobTests
{
    private TempCacheFolder? _temp;
    private string _dir = "";

    private static readonly string[] Photos = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "rocket.jpg", "hubble_deep_field.jpg"];

    [SetUp]
    public void SetUp()
    {
        References.Require(Path.Combine(PreprocessingTests.Folder, "astronaut.png"), References.RunTestScript);
        References.Require(DefaultModelTests.ModelPath, "Build restores the default model.");
        _temp = new TempCacheFolder("cardinal-jobs-");
        _dir = _temp.Path;
        Directory.CreateDirectory(Path.Combine(_dir, "photos"));
        foreach (string p in Photos) File.Copy(Path.Combine(PreprocessingTests.Folder, p), Path.Combine(_dir, "photos", p));
    }

    [TearDown]
    public void TearDown() => _temp?.Dispose();

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliRun.Run(args);

    private string P(string name) => Path.Combine(_dir, "photos", name);

    [Test]
    public void Similar_ResizedReencodedCopy_RankedFirst_ThenServedFromCache()
    {
        // The query sits outside the folder; the folder holds a smaller, JPEG re-encoded copy of it.
        string query = Path.Combine(_dir, "query-chelsea.png");
        File.Copy(P("chelsea.png"), query);
        File.Delete(P("chelsea.png"));
        using (var image = Image.Load(query))
        {
            image.Mutate(x => x.Resize(image.Width * 2 / 3, image.Height * 2 / 3));
            image.SaveAsJpeg(P("chelsea-copy.jpg"), new JpegEncoder { Quality = 80 });
        }

        var first = Cli("similar", query, Path.Combine(_dir, "photos"), "--json", "--threads", "2");
        Assert.That(first.Code, Is.EqualTo(0), first.Err);
        using var doc = JsonDocument.Parse(first.Out);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.That(results[0].GetProperty("file").GetString(), Does.EndWith("chelsea-copy.jpg"));
        double best = results[0].GetProperty("cosine").GetDouble(), second = results[1].GetProperty("cosine").GetDouble();
        TestContext.Progress.WriteLine($"similar: own re-encoded copy cosine {best:F4}, next best {second:F4}");
        Assert.That(best, Is.GreaterThan(0.9));
        Assert.That(best - second, Is.GreaterThan(0.1));

        var again = Cli("similar", query, Path.Combine(_dir, "photos"), "--top", "3");
        Assert.That(again.Code, Is.EqualTo(0), again.Err);
        Assert.That(again.Out, Does.Contain($"{Photos.Length} from cache"));
        Assert.That(again.Out.Split('\n')[1], Does.Contain("chelsea-copy.jpg"));
    }

    [Test]
    public void Embed_FolderWithBrokenFiles_ProcessesTheRestAndSaysSo()
    {
        File.WriteAllBytes(P("zero.jpg"), []);
        File.WriteAllBytes(P("noise.png"), Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919)).ToArray());
        byte[] jpeg = File.ReadAllBytes(P("rocket.jpg"));
        File.WriteAllBytes(P("truncated.jpg"), jpeg[..(jpeg.Length / 2)]);
        string output = Path.Combine(_dir, "emb.npy");

        var r = Cli("embed", Path.Combine(_dir, "photos"), "--out", output);
        Assert.That(r.Code, Is.EqualTo(4), r.Err);
        Assert.That(r.Err, Does.Contain("zero.jpg").And.Contain("noise.png").And.Contain("truncated.jpg").And.Contain("3 of 9 images failed"));
        Tensor embeddings = NpyFile.Read(output);
        Assert.That(embeddings.Shape(), Is.EqualTo(new[] { Photos.Length, 512 }));
        string[] listed = File.ReadAllLines(Path.ChangeExtension(output, ".files.txt"));
        Assert.That(listed.Select(Path.GetFileName), Is.EqualTo(Photos.Order(StringComparer.Ordinal).ToArray()));
    }

    [Test]
    public void Embed_Json_MatchesSessionOnPresetOutput()
    {
        var r = Cli("embed", P("astronaut.png"), P("coffee.png"), "--json");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.That(doc.RootElement.GetProperty("preset").GetString(), Is.EqualTo("mlnet-resnet18"));
        Assert.That(doc.RootElement.GetProperty("dimension").GetInt32(), Is.EqualTo(512));
        var embeddings = doc.RootElement.GetProperty("embeddings").EnumerateArray().ToList();
        Assert.That(embeddings, Has.Count.EqualTo(2));
        Assert.That(embeddings[0].GetProperty("embedding").GetArrayLength(), Is.EqualTo(512));
        Assert.That(doc.RootElement.GetProperty("errors").GetArrayLength(), Is.EqualTo(0));
    }

    [Test]
    public void Classify_ZooResNet18_TopFiveEqualsTorchvisionPreprocessedInput()
    {
        string model = Path.Combine(TorchvisionZooTests.ZooFolder, "resnet18", "model.onnx");
        References.Require(model, References.RunTestScript);
        var r = Cli("classify", "--model", model, P("astronaut.png"), "--json", "--top", "5");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var top = doc.RootElement.GetProperty("images")[0].GetProperty("top").EnumerateArray().ToList();
        int[] classes = top.Select(t => t.GetProperty("class").GetInt32()).ToArray();
        Assert.That(top[0].GetProperty("label").GetString(), Is.Not.Empty.And.Not.StartWith("class "));

        // The same model on torchvision's own preprocessed tensor must rank the same classes.
        Tensor tensor = NpyFile.Read(Path.Combine(PreprocessingTests.Folder, "astronaut.tensor.npy"));
        using var session = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend());
        Tensor logits = session.Run(tensor.Reshaped([1, 3, 224, 224]));
        int[] expected = Enumerable.Range(0, 1000).OrderByDescending(i => logits.Floats[i]).Take(5).ToArray();
        Assert.That(classes, Is.EqualTo(expected));
        double sum = Cardinal.Serving.Classification.Softmax(logits.Floats).Sum(v => (double)v);
        Assert.That(sum, Is.EqualTo(1.0).Within(1e-4));
    }

    [Test]
    public void Classify_WithoutModel_IsAUsageError()
    {
        var r = Cli("classify", P("astronaut.png"));
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("--model"));
    }

    [Test]
    public void Classify_LabelsCountMismatch_IsAUsageError()
    {
        string model = Path.Combine(TorchvisionZooTests.ZooFolder, "resnet18", "model.onnx");
        References.Require(model, References.RunTestScript);
        File.WriteAllLines(Path.Combine(_dir, "labels.txt"), ["a", "b"]);
        var r = Cli("classify", "--model", model, "--labels", Path.Combine(_dir, "labels.txt"), P("astronaut.png"));
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("2 labels"));
    }

    [Test]
    public void ImageBatch_LoadsIntoOneTensor_BrokenFileLeavesAZeroSlice()
    {
        File.WriteAllBytes(P("broken.png"), [1, 2, 3]);
        var decoder = new Cardinal.Formats.Images.ImageSharpDecoder();
        var preset = Cardinal.Formats.Images.PreprocessPresets.ImageNet;
        var batch = Cardinal.Formats.Images.ImageBatch.Load([P("astronaut.png"), P("coffee.png"), P("broken.png")], preset, decoder, decoder.Limits, 2);
        Assert.That(batch.Tensor.Shape(), Is.EqualTo(new[] { 3, 3, 224, 224 }));
        Assert.That(batch.Errors[0], Is.Null);
        Assert.That(batch.Errors[2], Does.Contain("broken.png"));
        float[] single = new float[3 * 224 * 224];
        Cardinal.Formats.Images.ImagePreprocessor.Apply(Cardinal.Formats.Images.ImageFiles.Read(P("coffee.png"), decoder, decoder.Limits), preset, single);
        Assert.That(batch.Tensor.Floats.Slice(single.Length, single.Length).ToArray(), Is.EqualTo(single));
        Assert.That(batch.Tensor.Floats.Slice(2 * single.Length, single.Length).ToArray(), Is.All.EqualTo(0f));
    }

    [Test]
    public void ImageNetLabels_Bundled_AreTheThousandClasses()
    {
        string[] labels = [.. Cardinal.Formats.Images.ImageNetLabels.All];
        Assert.That(labels, Has.Length.EqualTo(1000));
        Assert.That((labels[0], labels[1], labels[999]), Is.EqualTo(("tench", "goldfish", "toilet tissue")));
    }
}
