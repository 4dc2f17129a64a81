using Cardinal.Formats.Onnx;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Formats;

/// <summary>
/// Attributes an operator does not define are refused at load, as ONNX Runtime does ("Unrecognized
/// attribute"): a misspelled attribute would otherwise change what the model means without a word.
/// </summary>
[TestFixture]
public class OnnxAttributeCheckTests
{
    /// <summary>A 3×3 Conv over [1,2,4,4] whose only attribute is <paramref name="attribute"/>.</summary>
    internal static byte[] ConvWith(ProtoWriter attribute) => OnnxWriter.Model(13,
        [OnnxWriter.Node("Conv", ["X", "W"], ["Y"], "conv1", attribute)],
        [OnnxWriter.Tensor("W", OnnxWriter.Float, [2, 1, 3, 3], TestModels.RandomData(18, 1))],
        [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 2, 4, 4)],
        [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 2, 2, 2)]);

    public const string GrouxMessage =
        "Conv node 'conv1': attribute 'groux' is not defined for Conv (opset 13); Conv defines auto_pad, dilations, group, kernel_shape, pads, strides.";

    private static Cardinal.Graph.ModelGraph Load(byte[] model) => OnnxImporter.ToGraph(OnnxReader.Parse(model, "test"));

    [Test]
    public void Conv_MisspelledGroupAttribute_IsRefusedNamingNodeAndAttribute()
    {
        var e = Assert.Throws<UnsupportedModelException>(() => Load(ConvWith(OnnxWriter.IntAttribute("groux", 2))));
        Assert.That(e!.Message, Is.EqualTo(GrouxMessage));
    }

    [Test]
    public void Conv_SpelledGroupAttribute_Loads()
    {
        var graph = Load(ConvWith(OnnxWriter.IntAttribute("group", 2)));
        Assert.That(graph.Nodes, Has.Count.EqualTo(1));
    }

    [Test]
    public void Relu_AnyAttributeAtOpset13_IsRefusedListingNone()
    {
        byte[] model = OnnxWriter.Model(13,
            [OnnxWriter.Node("Relu", ["X"], ["Y"], "relu", OnnxWriter.FloatAttribute("alpha", 0.1f))], [],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        var e = Assert.Throws<UnsupportedModelException>(() => Load(model));
        Assert.That(e!.Message, Does.StartWith("Relu node 'relu': attribute 'alpha' is not defined for Relu (opset 13)"));
    }

    [TestCase("value_string")]
    [TestCase("value_strings")]
    [TestCase("sparse_value")]
    public void Constant_DefinedButUnsupportedValueKind_SaysUnsupportedNotUndefined(string attribute)
    {
        var a = new ProtoWriter().String(1, attribute).Bytes(4, "text"u8.ToArray()).Varint(20, 3);
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Constant", [], ["Y"], "c", a)], [], [],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1)]);
        var e = Assert.Throws<UnsupportedModelException>(() => Load(model));
        Assert.That(e!.Message, Does.Contain(attribute).And.Contain("not supported").And.Not.Contain("not defined"));
    }

    [Test]
    public void Constant_TwoValueAttributes_IsRefused()
    {
        byte[] model = OnnxWriter.Model(13,
            [OnnxWriter.Node("Constant", [], ["Y"], "c", OnnxWriter.FloatAttribute("value_float", 1), OnnxWriter.IntAttribute("value_int", 2))], [], [],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float)]);
        var e = Assert.Throws<InvalidModelException>(() => Load(model));
        Assert.That(e!.Message, Does.Contain("value_float").And.Contain("value_int"));
    }

    [Test]
    public void LegacyAttributes_OfOldOpsets_Load()
    {
        // Opset 1 forms: consumed_inputs on Relu and BatchNormalization, broadcast/axis on Add, is_test and spatial.
        byte[] model = OnnxWriter.Model(1,
            [
                OnnxWriter.Node("BatchNormalization", ["X", "S", "B", "M", "V"], ["b"], "bn",
                    OnnxWriter.IntsAttribute("consumed_inputs", 0, 0, 0, 1, 1), OnnxWriter.IntAttribute("is_test", 1),
                    OnnxWriter.IntAttribute("spatial", 1), OnnxWriter.FloatAttribute("momentum", 0.9f), OnnxWriter.FloatAttribute("epsilon", 1e-5f)),
                OnnxWriter.Node("Add", ["b", "C"], ["s"], "add", OnnxWriter.IntAttribute("broadcast", 1), OnnxWriter.IntAttribute("axis", 1),
                    OnnxWriter.IntsAttribute("consumed_inputs", 0, 0)),
                OnnxWriter.Node("Relu", ["s"], ["Y"], "relu", OnnxWriter.IntsAttribute("consumed_inputs", 0)),
            ],
            [
                OnnxWriter.Tensor("S", OnnxWriter.Float, [2], [1, 1]), OnnxWriter.Tensor("B", OnnxWriter.Float, [2], [0, 0]),
                OnnxWriter.Tensor("M", OnnxWriter.Float, [2], [0, 0]), OnnxWriter.Tensor("V", OnnxWriter.Float, [2], [1, 1]),
                OnnxWriter.Tensor("C", OnnxWriter.Float, [2], [10, -10]),
            ],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 2, 1, 1)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 2, 1, 1)]);
        using var session = InferenceSession.Open(Load(model), new Cardinal.Kernels.Cpu.CpuBackend(new() { Threads = 1 }));
        var y = session.Run(new Dictionary<string, Tensor> { ["X"] = Tensor.FromArray(new float[] { 1, 1 }, 1, 2, 1, 1) })["Y"];
        Assert.That(y.Floats.ToArray(), Is.EqualTo(new float[] { 11, 0 }).Within(1e-3f));
    }

    [Test]
    public void Reshape_Opset1ShapeAttribute_BecomesTheShapeInput()
    {
        byte[] model = OnnxWriter.Model(1,
            [OnnxWriter.Node("Reshape", ["X"], ["Y"], "reshape", OnnxWriter.IntsAttribute("shape", 2, -1))], [],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 2, 2)]);
        using var session = InferenceSession.Open(Load(model), new Cardinal.Kernels.Cpu.CpuBackend(new() { Threads = 1 }));
        var y = session.Run(new Dictionary<string, Tensor> { ["X"] = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 4) })["Y"];
        Assert.That(y.Dims.ToArray(), Is.EqualTo(new[] { 2, 2 }));
    }

    /// <summary>
    /// The ONNX suite is written by ONNX itself, so every attribute in it is defined: none of its models may
    /// be refused for one (the suite's own cases would only be ignored, so this looks for the refusal).
    /// </summary>
    [Test]
    public void OnnxSuite_NoModelWithSupportedOperators_IsRefusedForAnUndefinedAttribute()
    {
        string root = References.Require(References.OnnxTestData, References.RunTestScript);
        var supported = OnnxOperators.Supported.ToHashSet(StringComparer.Ordinal);
        var refused = new List<string>();
        int loaded = 0;
        foreach (string modelPath in Directory.GetFiles(root, "model.onnx", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            OnnxModel model;
            try { model = OnnxModel.Load(modelPath); }
            catch (CardinalException) { continue; }
            if (!model.Graph.Nodes.All(n => supported.Contains(n.OpType))) continue;
            try { OnnxImporter.ToGraph(model); loaded++; }
            catch (CardinalException e) when (e.Message.Contains("is not defined for", StringComparison.Ordinal)) { refused.Add($"{modelPath}: {e.Message}"); }
            catch (CardinalException) { }
        }
        Assert.That(refused, Is.Empty);
        Assert.That(loaded, Is.GreaterThan(200));
    }
}
