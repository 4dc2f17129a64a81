using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Onnx;

/// <summary>
/// The ONNX backend test suite from Debian's libonnx-testdata: one NUnit case per suite case whose
/// operators Cardinal supports, run at the ONNX runner's tolerances (rtol 1e-3, atol 1e-7). A case whose
/// operators are all supported must pass; the only ones let off are those that load or plan with
/// <see cref="UnsupportedModelException"/> for a reason other than an operator (an element type such as
/// float16, training mode), and those are printed with the reason.
/// </summary>
[TestFixture]
public class OnnxNodeSuiteTests
{
    private static readonly string[] Suites = ["node", "pytorch-converted", "pytorch-operator"];

    public static IEnumerable<TestCaseData> Cases()
    {
        string root = References.OnnxTestData;
        if (!Directory.Exists(root))
        {
            yield return new TestCaseData("(missing)", "").SetName("OnnxSuite_ReferenceDataMissing");
            yield break;
        }
        foreach (string suite in Suites)
        {
            string dir = Path.Combine(root, suite);
            if (!Directory.Exists(dir)) continue;
            foreach (string caseDir in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            {
                if (!File.Exists(Path.Combine(caseDir, "model.onnx"))) continue;
                OnnxModel model;
                try { model = OnnxModel.Load(Path.Combine(caseDir, "model.onnx")); }
                catch (CardinalException) { continue; }
                if (!model.Graph.Nodes.All(n => OnnxSuite.SupportedOperators.Contains(n.OpType))) continue;
                yield return new TestCaseData(suite, caseDir).SetName($"OnnxSuite_{suite}_{Path.GetFileName(caseDir)}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Case_RunsWithSupportedOperators_MatchesReferenceOutputs(string suite, string caseDir)
    {
        References.Require(References.OnnxTestData, References.RunTestScript);
        string? reason = OnnxSuite.Run(caseDir, out string report);
        if (reason is not null)
        {
            TestContext.Progress.WriteLine($"ONNX suite case {suite}/{Path.GetFileName(caseDir)} not supported: {reason}");
            Assert.Ignore($"Supported operators but an unsupported feature: {reason}");
        }
        TestContext.Out.WriteLine(report);
    }

    [Test]
    public void Suite_CountsSupportedAndUnsupportedCases_PrintsTheLists()
    {
        string root = References.Require(References.OnnxTestData, References.RunTestScript);
        int supported = 0;
        var unsupported = new List<string>();
        foreach (string suite in Suites)
            foreach (string caseDir in Directory.GetDirectories(Path.Combine(root, suite)).Order(StringComparer.Ordinal))
            {
                string modelPath = Path.Combine(caseDir, "model.onnx");
                if (!File.Exists(modelPath)) continue;
                try
                {
                    OnnxModel model = OnnxModel.Load(modelPath);
                    var missing = model.Graph.Nodes.Select(n => n.OpType).Where(op => !OnnxSuite.SupportedOperators.Contains(op)).Distinct().ToList();
                    if (missing.Count == 0) supported++;
                    else unsupported.Add($"{suite}/{Path.GetFileName(caseDir)}: {string.Join(", ", missing)}");
                }
                catch (CardinalException e) { unsupported.Add($"{suite}/{Path.GetFileName(caseDir)}: unreadable ({e.Message})"); }
            }
        // Progress goes to the console as the run happens, so CI logs carry the counts and the list.
        TestContext.Progress.WriteLine($"ONNX suite: {supported} cases use only supported operators and run as NUnit cases; {unsupported.Count} use other operators:");
        foreach (string line in unsupported) TestContext.Progress.WriteLine("  unsupported: " + line);
        Assert.That(supported, Is.GreaterThan(200), "the supported-operator cases should number in the hundreds");
    }
}

/// <summary>Loads and runs one ONNX suite case, comparing every output.</summary>
public static class OnnxSuite
{
    public static IReadOnlySet<string> SupportedOperators { get; } =
        new HashSet<string>(OnnxOperators.Supported, StringComparer.Ordinal);

    /// <returns>null when the case ran and matched; the reason when it uses an unsupported non-operator feature.</returns>
    public static string? Run(string caseDir, out string report)
    {
        report = "";
        Cardinal.Graph.ModelGraph graph;
        InferenceSession session;
        try
        {
            graph = OnnxImporter.Load(Path.Combine(caseDir, "model.onnx"));
            session = InferenceSession.Open(graph, new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        }
        catch (UnsupportedModelException e) { return e.Message; }

        using (session)
        {
            foreach (string dataSet in Directory.GetDirectories(caseDir, "test_data_set_*").Order(StringComparer.Ordinal))
            {
                var inputs = new Dictionary<string, Tensor>();
                var inputFiles = Directory.GetFiles(dataSet, "input_*.pb").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[6..])).ToArray();
                // Inputs are matched by position to the graph's inputs that are not initializers.
                for (int i = 0; i < inputFiles.Length && i < graph.Inputs.Count; i++)
                {
                    var proto = OnnxReader.ReadTensorFile(inputFiles[i]);
                    inputs[graph.Inputs[i].Name] = OnnxTensorConverter.ToTensor(proto, null, "test input");
                }
                IReadOnlyDictionary<string, Tensor> outputs;
                try { outputs = session.Run(inputs); }
                catch (UnsupportedModelException e) { return e.Message; }
                var outputFiles = Directory.GetFiles(dataSet, "output_*.pb").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[7..])).ToArray();
                Assert.That(outputFiles.Length, Is.EqualTo(graph.Outputs.Count), "reference output count");
                for (int o = 0; o < outputFiles.Length; o++)
                {
                    Tensor expected = OnnxTensorConverter.ToTensor(OnnxReader.ReadTensorFile(outputFiles[o]), null, "test output");
                    Tensor actual = outputs[graph.Outputs[o].Name];
                    TensorAssert.Close(expected, actual, 1e-3, 1e-7, $"{Path.GetFileName(caseDir)}/{Path.GetFileName(dataSet)} output {o} '{graph.Outputs[o].Name}'");
                    report += $"{Path.GetFileName(dataSet)} output {o}: {actual} ok\n";
                }
            }
        }
        return null;
    }
}
