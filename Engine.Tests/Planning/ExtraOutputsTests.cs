using Cardinal.Formats.Onnx;
using Cardinal.Graph;
using Cardinal.Kernels.Gpu;
using Cardinal.Kernels.Cpu;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Planning;

/// <summary>
/// SessionOptions.ExtraOutputs: any value read out by name, on both backends' CPU paths, with fusion on. Each
/// value is checked against the same model cut off at that value (a plain declared output, unfused), so a value a
/// pass fused away, reordered or let its buffer be reused would show.
/// </summary>
[TestFixture]
public class ExtraOutputsTests
{
    // SmallResidualNet: c1 = Conv(X) (Relu fuses into it), r1 = Relu(c1), c2 = Conv(r1), s = c2 + r1 (the residual
    // Add fuses into conv2), r2 = Relu(s), g = pool, Y = Flatten(g).
    private static readonly string[] Inner = ["c1", "r1", "c2", "s", "r2"];

    public static IEnumerable<TestCaseData> Backends()
    {
        yield return new TestCaseData("cpu").SetName("ExtraOutputs_InnerValues_EqualTheCutOffModel(cpu)");
        yield return new TestCaseData("ilgpu-cpu").SetName("ExtraOutputs_InnerValues_EqualTheCutOffModel(ilgpu-cpu)");
    }

    private static IBackend Backend(string kind) => kind == "cpu"
        ? new CpuBackend(new CpuBackendOptions { Threads = 2 })
        : new GpuBackend(Device.IlgpuCpu, new CpuBackend(new CpuBackendOptions { Threads = 1 }));

    /// <summary>The small net with <paramref name="output"/> as its only declared output (nodes after it dead).</summary>
    private static ModelGraph CutAt(string output)
    {
        ModelGraph graph = OnnxImporter.ToGraph(OnnxReader.Parse(TestModels.SmallResidualNet()));
        graph.Outputs.Clear();
        graph.Outputs.Add(new TensorInfo(output, ElementType.Float32, null));
        return graph;
    }

    [TestCaseSource(nameof(Backends))]
    public void ExtraOutputs_InnerValues_EqualTheCutOffModel(string backend)
    {
        var input = Tensor.FromArray(TestModels.RandomData(3 * 3 * 16 * 16, seed: 8), 3, 3, 16, 16);
        ModelGraph graph = OnnxImporter.ToGraph(OnnxReader.Parse(TestModels.SmallResidualNet()));
        using var plain = InferenceSession.Open(graph, Backend(backend));
        using var session = InferenceSession.Open(graph, Backend(backend), new SessionOptions { ExtraOutputs = ["r2", .. Inner, "Y"] });
        Assert.That(session.Outputs.Select(o => o.Name), Is.EqualTo(new[] { "Y", "r2", "c1", "r1", "c2", "s" }), "declared first, then as asked, once each");

        var outputs = session.Run(new Dictionary<string, Tensor> { ["X"] = input });
        TensorAssert.Close(plain.Run(input), outputs["Y"], 0, 0, "the declared output is unchanged");
        foreach (string name in Inner)
        {
            using var cut = InferenceSession.Open(CutAt(name), Backend(backend), new SessionOptions { Fuse = false });
            Tensor expected = cut.Run(input);
            Assert.That(outputs[name].Dims.ToArray(), Is.EqualTo(expected.Dims.ToArray()), name);
            TensorAssert.Close(expected, outputs[name], 1e-5, 1e-6, $"{name} on {backend}");
        }
        // With every inner value read out, nothing can fuse: the plan keeps a step per node.
        Assert.That(session.PlanForShapes([[3, 3, 16, 16]]).Steps.Count(s => s.Node.OpType is "Relu" or "Add"), Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public void ExtraOutputs_UnknownName_ListsNearMatches()
    {
        ModelGraph graph = OnnxImporter.ToGraph(OnnxReader.Parse(TestModels.SmallResidualNet()));
        Assert.That(() => InferenceSession.Open(graph, new CpuBackend(), new SessionOptions { ExtraOutputs = ["r3"] }),
            Throws.TypeOf<UnknownValueException>().With.Message.Contains("no value named 'r3'").And.Message.Contains("'r1'").And.Message.Contains("'r2'"));
        Assert.That(() => InferenceSession.Open(graph, new CpuBackend(), new SessionOptions { ExtraOutputs = ["zzzzzzzz"] }),
            Throws.TypeOf<UnknownValueException>().With.Message.Not.Contains("near matches"));
    }

    [Test]
    public void InspectValues_ListsEveryValueWithItsShape()
    {
        string model = TestModels.WriteTemp(TestModels.SmallResidualNet(), "values");
        try
        {
            var stdout = new StringWriter();
            int code = Cardinal.Cli.Cli.Execute(["inspect", model, "--values"], stdout, new StringWriter());
            Assert.That(code, Is.EqualTo(0));
            string text = stdout.ToString();
            Assert.That(text, Does.Contain("values     8 (inputs and node outputs"));
            Assert.That(text, Does.Contain("  X  float32[1,3,16,16]  (input)"));
            Assert.That(text, Does.Contain("  c1  float32[1,8,16,16]  (Conv)"));
            Assert.That(text, Does.Contain("  s  float32[1,8,16,16]  (Add)"));
            Assert.That(text, Does.Contain("  g  float32[1,8,1,1]  (GlobalAveragePool)"));
            Assert.That(text, Does.Contain("  Y  float32[1,8]  (Flatten)"));
        }
        finally { File.Delete(model); }
    }

    [Test]
    public void EditDistance_Capped()
    {
        Assert.That(RequestedOutputs.EditDistance("layer1", "layer2", 5), Is.EqualTo(1));
        Assert.That(RequestedOutputs.EditDistance("kitten", "sitting", 5), Is.EqualTo(3));
        Assert.That(RequestedOutputs.EditDistance("a", "abcdefgh", 3), Is.EqualTo(3));
    }
}
