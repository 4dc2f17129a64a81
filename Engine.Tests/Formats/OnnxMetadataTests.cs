using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.TestUtilities;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Formats;

/// <summary>ModelProto's own text (doc string, domain, version, metadata_props) read with limits, and the classifier head written onto a backbone.</summary>
[TestFixture]
public class OnnxMetadataTests
{
    /// <summary>A valid model with extra top-level ModelProto fields appended (protobuf fields may come in any order).</summary>
    private static byte[] WithFields(Action<ProtoWriter> extra)
    {
        var w = new ProtoWriter().Raw(TestModels.AddRelu());
        extra(w);
        return w.ToArray();
    }

    [Test]
    public void Reader_ModelText_ReadAsWritten()
    {
        byte[] bytes = WithFields(w => w
            .String(4, "org.example").Varint(5, 42).String(6, "a model\nwith notes")
            .Message(14, OnnxWriter.MetadataEntry("author", "Ada"))
            .Message(14, OnnxWriter.MetadataEntry("cardinal.labels", "[\"a\",\"b\"]")));
        OnnxModel model = OnnxReader.Parse(bytes, "meta");
        Assert.That(model.Domain, Is.EqualTo("org.example"));
        Assert.That(model.ModelVersion, Is.EqualTo(42));
        Assert.That(model.DocString, Is.EqualTo("a model\nwith notes"));
        Assert.That(model.MetadataProps, Is.EquivalentTo(new Dictionary<string, string> { ["author"] = "Ada", ["cardinal.labels"] = "[\"a\",\"b\"]" }));
        Assert.That(ClassifierMetadata.Labels(model), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(OnnxReader.Parse(TestModels.AddRelu()).MetadataProps, Is.Empty);
    }

    [Test]
    public void Reader_DuplicateKey_Refused()
    {
        byte[] bytes = WithFields(w => w.Message(14, OnnxWriter.MetadataEntry("k", "1")).Message(14, OnnxWriter.MetadataEntry("k", "2")));
        Assert.That(() => OnnxReader.Parse(bytes, "dup"), Throws.TypeOf<ModelFormatException>().With.Message.Contains("repeats the key 'k'"));
    }

    [Test]
    public void Reader_HugeValue_RefusedBeforeAllocating()
    {
        // A value past the 16 MiB limit is refused whether the bytes are really there or only claimed.
        byte[] real = WithFields(w => w.Message(14, OnnxWriter.MetadataEntry("big", new string('x', OnnxMetadataReader.MaxValueBytes + 1))));
        Assert.That(() => OnnxReader.Parse(real, "big"), Throws.TypeOf<ModelFormatException>().With.Message.Contains("over the limit"));
        byte[] claimed = WithFields(w => w.Raw([6 << 3 | 2, 0xFF, 0xFF, 0xFF, 0x7F]));  // a doc_string claiming 256 MiB
        Assert.That(() => OnnxReader.Parse(claimed, "claimed"), Throws.TypeOf<ModelFormatException>().With.Message.Contains("claims"));
        byte[] longKey = WithFields(w => w.Message(14, OnnxWriter.MetadataEntry(new string('k', 5000), "v")));
        Assert.That(() => OnnxReader.Parse(longKey, "key"), Throws.TypeOf<ModelFormatException>().With.Message.Contains("key of 5000 bytes"));
    }

    [Test]
    public void Reader_TooManyEntries_Refused()
    {
        byte[] bytes = WithFields(w => { for (int i = 0; i <= OnnxMetadataReader.MaxEntries; i++) w.Message(14, OnnxWriter.MetadataEntry($"k{i}", "")); });
        Assert.That(() => OnnxReader.Parse(bytes, "many"), Throws.TypeOf<ModelFormatException>().With.Message.Contains("more than 10000"));
    }

    [Test]
    public void Labels_Malformed_IsAnError_NotIgnored()
    {
        var model = OnnxReader.Parse(WithFields(w => w.Message(14, OnnxWriter.MetadataEntry(ClassifierMetadata.LabelsKey, "{not json"))), "bad");
        Assert.That(() => ClassifierMetadata.Labels(model), Throws.TypeOf<ModelFormatException>().With.Message.Contains("cardinal.labels"));
    }

    [Test]
    public void ClassifierHead_OnSmallNet_SoftmaxOfAffine_InCardinalAndOnnxRuntime()
    {
        byte[] backbone = WithFields(w => w.Message(14, OnnxWriter.MetadataEntry("kept", "yes")).Message(14, OnnxWriter.MetadataEntry(ClassifierMetadata.PresetKey, "old")));
        backbone = TestModels.SmallResidualNet().Concat(backbone[TestModels.AddRelu().Length..]).ToArray();
        const int k = 3, d = 8;
        float[] weights = TestModels.RandomData(k * d, seed: 1), bias = [0.1f, -0.2f, 0.3f];
        var head = new ClassifierHead(weights, bias, k, d, new Dictionary<string, string>
        {
            [ClassifierMetadata.LabelsKey] = ClassifierMetadata.EncodeLabels(["x", "y", "z"]),
            [ClassifierMetadata.PresetKey] = "imagenet",
        });
        byte[] exported = OnnxClassifierExport.Build(backbone, "small", head);

        OnnxModel model = OnnxReader.Parse(exported, "exported");
        Assert.That(model.MetadataProps, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["kept"] = "yes", [ClassifierMetadata.PresetKey] = "imagenet", [ClassifierMetadata.LabelsKey] = "[\"x\",\"y\",\"z\"]",
        }), "the backbone's own keys kept, the head's replaced");
        Assert.That(model.Graph.Outputs.Single().Name, Is.EqualTo(OnnxClassifierExport.OutputName));

        float[] input = TestModels.RandomData(2 * 3 * 16 * 16, seed: 2);
        using var plain = InferenceSession.Open(OnnxImporter.ToGraph(OnnxReader.Parse(TestModels.SmallResidualNet())), new CpuBackend(new() { Threads = 1 }));
        float[] features = plain.Run(Tensor.FromArray(input, 2, 3, 16, 16)).Floats.ToArray();
        var expected = new float[2 * k];
        for (int n = 0; n < 2; n++)
        {
            var z = new double[k];
            for (int c = 0; c < k; c++) { z[c] = bias[c]; for (int j = 0; j < d; j++) z[c] += weights[c * d + j] * features[n * d + j]; }
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < k; c++) expected[n * k + c] = (float)(Math.Exp(z[c] - max) / sum);
        }
        using var session = InferenceSession.Open(OnnxImporter.ToGraph(model), new CpuBackend(new() { Threads = 1 }));
        Assert.That(session.Run(Tensor.FromArray(input, 2, 3, 16, 16)).Floats.ToArray(), Is.EqualTo(expected).Within(1e-5f).AsCollection);

        using var ort = new Microsoft.ML.OnnxRuntime.InferenceSession(exported);
        using var results = ort.Run([NamedOnnxValue.CreateFromTensor("X", new DenseTensor<float>(input, [2, 3, 16, 16]))]);
        Assert.That(results.Single().AsTensor<float>().ToArray(), Is.EqualTo(expected).Within(1e-5f).AsCollection);
    }

    [Test]
    public void ClassifierHead_BackboneWithTwoOutputs_NeedsAName()
    {
        byte[] two = OnnxWriter.Model(13, [OnnxWriter.Node("Relu", ["X"], ["A"]), OnnxWriter.Node("Relu", ["A"], ["B"])], [],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("A", OnnxWriter.Float, 1, 4), OnnxWriter.ValueInfo("B", OnnxWriter.Float, 1, 4)]);
        var head = new ClassifierHead(new float[8], new float[2], 2, 4, new Dictionary<string, string>());
        Assert.That(() => OnnxClassifierExport.Build(two, "two", head), Throws.TypeOf<InvalidModelException>().With.Message.Contains("2 outputs"));
        byte[] named = OnnxClassifierExport.Build(two, "two", head with { BackboneOutput = "A" });
        Assert.That(OnnxReader.Parse(named).Graph.Nodes[2].Inputs, Is.EqualTo(new[] { "A" }));
    }
}
