using System.Text.Json;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Models;

/// <summary>
/// layer1…layer4 of torchvision ResNet-50 and ResNeXt-50 32x4d read out of one fused run (SessionOptions.ExtraOutputs,
/// on the CPU backend with its blocked layout), against PyTorch's forward hooks in float64
/// (tools/reference/export_layer_features.py) at rtol 1e-3 / atol 1e-4; and `cardinal run --output NAME=file`.
/// </summary>
[TestFixture, Category("Zoo")]
public class LayerFeatureTests
{
    public static string Folder => Path.Combine(References.Cache, "layer-features", "current");

    public static IEnumerable<string> Models() => ["resnet50", "resnext50_32x4d"];

    private static JsonElement Entry(string name)
    {
        string manifest = References.Require(Path.Combine(Folder, "manifest.json"), "Run tools/reference/generate.sh (or tools/test.sh).");
        using var doc = JsonDocument.Parse(File.ReadAllText(manifest));
        return doc.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name).Clone();
    }

    [TestCaseSource(nameof(Models))]
    public void LayerOutputs_OneFusedRun_MatchPyTorchHooks(string name)
    {
        JsonElement entry = Entry(name);
        var layers = entry.GetProperty("layers").EnumerateObject().ToList();
        string[] values = [.. layers.Select(l => l.Value.GetProperty("value").GetString()!)];
        Tensor input = NpyFile.Read(Path.Combine(Folder, entry.GetProperty("input").GetString()!));
        string model = Path.Combine(Folder, entry.GetProperty("model").GetString()!);

        using var plain = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = 2 }));
        using var session = InferenceSession.Open(OnnxImporter.Load(model), new CpuBackend(new CpuBackendOptions { Threads = 2 }),
            new SessionOptions { ExtraOutputs = values });
        var outputs = session.Run(new Dictionary<string, Tensor> { ["input"] = input });
        foreach (var layer in layers)
        {
            Tensor expected = NpyFile.Read(Path.Combine(Folder, layer.Value.GetProperty("reference").GetString()!));
            Tensor actual = outputs[layer.Value.GetProperty("value").GetString()!];
            var (maxAbs, maxRel) = TensorAssert.Errors(expected, actual);
            TestContext.Progress.WriteLine($"{name} {layer.Name} {actual}: max abs {maxAbs:G3}, max rel {maxRel:G3}");
            TensorAssert.Close(expected, actual, 1e-3, 1e-4, $"{name} {layer.Name}");
        }
        TensorAssert.Close(plain.Run(input), outputs["logits"], 0, 0, "the logits are unchanged by reading the layers out");
        // The layers stay fused (a layer's Relu is still folded into its convolution; reading its output needs no extra step).
        string plan = string.Join(" ", session.PlanForShapes([[2, 3, 224, 224]]).Steps.Select(s => s.Node.OpType));
        Assert.That(plan, Does.Not.Contain("Relu"), "the read-out values keep their fusion");
    }

    [Test]
    public void RunCommand_OutputAnyValue_WritesTheLayer()
    {
        JsonElement entry = Entry("resnet50");
        var layer3 = entry.GetProperty("layers").GetProperty("layer3");
        string dir = Directory.CreateTempSubdirectory("cardinal-layer-").FullName;
        try
        {
            string file = Path.Combine(dir, "layer3.npy");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = Cardinal.Cli.Cli.Execute(["run", "--model", Path.Combine(Folder, entry.GetProperty("model").GetString()!),
                "--input", Path.Combine(Folder, entry.GetProperty("input").GetString()!), "--output", $"{layer3.GetProperty("value").GetString()}={file}"], stdout, stderr);
            Assert.That(code, Is.EqualTo(0), stderr.ToString());
            TensorAssert.Close(NpyFile.Read(Path.Combine(Folder, layer3.GetProperty("reference").GetString()!)), NpyFile.Read(file), 1e-3, 1e-4, "run --output layer3");

            code = Cardinal.Cli.Cli.Execute(["run", "--model", Path.Combine(Folder, entry.GetProperty("model").GetString()!), "--output", $"layer3={file}"], stdout, stderr);
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.ToString(), Does.Contain("no value named 'layer3'").And.Contain("near matches: '/layer3/"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
