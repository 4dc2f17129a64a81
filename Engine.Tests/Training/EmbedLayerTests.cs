using Cardinal.Tests.TestUtilities;
using Cardinal.Formats.Images;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Training;

/// <summary>`cardinal embed --layer` on the tiny backbone: each layer's set against the session's own read-out of that value.</summary>
[TestFixture]
public class EmbedLayerTests
{
    private string _dir = "";
    private string _model = "";
    private string[] _photos = [];

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("cardinal-embed-layer-").FullName;
        _model = Path.Combine(_dir, "backbone.onnx");
        File.WriteAllBytes(_model, FitCliTests.TinyBackbone());
        var random = new Random(3);
        _photos = [.. Enumerable.Range(0, 3).Select(i =>
        {
            using var image = new Image<Rgb24>(40, 30);
            for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            string path = Path.Combine(_dir, $"p{i}.png");
            image.SaveAsPng(path);
            return path;
        })];
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliRun.Run(args);

    [Test]
    public void EmbedLayer_PoolAndNormalize_EqualTheSessionsReadOut()
    {
        string output = Path.Combine(_dir, "emb.npy");
        var flat = Cli(["embed", .. _photos, "--model", _model, "--layer", "c,r", "--pool", "none", "--out", output]);
        Assert.That(flat.Code, Is.EqualTo(0), flat.Err);
        Tensor c = NpyFile.Read(Path.Combine(_dir, "emb.c.npy")), r = NpyFile.Read(Path.Combine(_dir, "emb.r.npy"));
        Assert.That(c.Dims.ToArray(), Is.EqualTo(new[] { 3, 4 * 56 * 56 }));

        // The session itself, reading the same values out of the same preprocessed pixels.
        var batch = ImageBatch.Load(_photos, PreprocessPresets.ImageNet, new ImageSharpDecoder(), new ImageLimits(), 1);
        using var session = InferenceSession.Open(OnnxImporter.Load(_model), new CpuBackend(new() { Threads = 1 }), new SessionOptions { ExtraOutputs = ["c", "r"] });
        var outputs = session.Run(new Dictionary<string, Tensor> { ["X"] = batch.Tensor });
        Assert.That(c.Floats.ToArray(), Is.EqualTo(outputs["c"].Floats.ToArray()).Within(1e-6f).AsCollection);
        Assert.That(r.Floats.ToArray(), Is.EqualTo(outputs["r"].Floats.ToArray()).Within(1e-6f).AsCollection);

        var pooled = Cli(["embed", .. _photos, "--model", _model, "--layer", "r", "--normalize", "--out", output]);
        Assert.That(pooled.Code, Is.EqualTo(0), pooled.Err);
        float[] p = NpyFile.Read(Path.Combine(_dir, "emb.r.npy")).Floats.ToArray();
        float[] rf = outputs["r"].Floats.ToArray();
        for (int n = 0; n < 3; n++)
        {
            var mean = Enumerable.Range(0, 4).Select(ch => Enumerable.Range(0, 56 * 56).Average(i => (double)rf[(n * 4 + ch) * 3136 + i])).ToArray();
            double norm = Math.Sqrt(mean.Sum(v => v * v));
            for (int ch = 0; ch < 4; ch++) Assert.That(p[n * 4 + ch], Is.EqualTo(mean[ch] / norm).Within(1e-5), $"image {n} channel {ch}");
        }
    }

    [TestCase("--layer", "nope", "no value named 'nope'")]
    [TestCase("--pool", "avg", "--pool applies to --layer")]
    [TestCase("--layer", "r,r", "twice")]
    public void EmbedLayer_BadArguments_ExitTwo(string flag, string value, string message)
    {
        var r = Cli(["embed", .. _photos, "--model", _model, flag, value]);
        Assert.That(r.Code, Is.EqualTo(2), r.Err);
        Assert.That(r.Err, Does.StartWith("cardinal: ").And.Contain(message));
    }
}
