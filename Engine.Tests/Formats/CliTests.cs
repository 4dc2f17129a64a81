
using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Formats;

/// <summary>The cardinal CLI's contract: verbs, flags, one-line errors and exit codes (0 ok, 1 mismatch, 2 bad input).</summary>
[TestFixture]
public class CliTests
{
    private string _dir = "";
    private string _model = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("cardinal-cli-").FullName;
        _model = Path.Combine(_dir, "addrelu.onnx");
        File.WriteAllBytes(_model, TestModels.AddRelu());
        NpyFile.Write(Path.Combine(_dir, "x.npy"), Tensor.FromArray(new float[] { 1, 1, 1, 1 }, 1, 4));
        NpyFile.Write(Path.Combine(_dir, "good.npy"), Tensor.FromArray(new float[] { 2, 0, 4, 0 }, 1, 4));
        NpyFile.Write(Path.Combine(_dir, "bad.npy"), Tensor.FromArray(new float[] { 2, 0, 4.1f, 0 }, 1, 4));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRun.Run(args);

    private string F(string name) => Path.Combine(_dir, name);

    [Test]
    public void Inspect_NamesWinograd_AndExactTurnsItOff()
    {
        // One stride-1 3×3 convolution on a 56×56 plane: F(4×4) by default on a blocked tier, direct under --exact.
        var random = new Random(9);
        byte[] model = OnnxWriter.Model(13,
            [OnnxWriter.Node("Conv", ["X", "W"], ["Y"], "conv", OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1))],
            [OnnxWriter.Tensor("W", OnnxWriter.Float, [16, 16, 3, 3], floats: [.. Enumerable.Range(0, 16 * 16 * 9).Select(_ => (float)random.NextDouble())])],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 16, 56, 56)],
            [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 16, 56, 56)]);
        string path = F("conv3x3.onnx");
        File.WriteAllBytes(path, model);
        References.RequireBlockedTier(Cardinal.Kernels.Cpu.CpuPlatform.Default.BlockSize > 0, "inspect's Winograd step");
        var normal = Run("inspect", path);
        Assert.That(normal.Code, Is.EqualTo(0), normal.Err);
        Assert.That(normal.Out, Does.Contain("Winograd F(4×4,3×3)"));
        var exact = Run("inspect", path, "--exact");
        Assert.That(exact.Code, Is.EqualTo(0), exact.Err);
        Assert.That(exact.Out, Does.Not.Contain("Winograd"));
        Assert.That(exact.Out, Does.Contain("blocked direct"));
        var run = Run("run", "--model", path, "--exact", "--output", F("y.npy"));
        Assert.That(run.Code, Is.EqualTo(0), run.Err);
    }

    [Test]
    public void Inspect_Batch_ShowsTheDepthFirstSchedule()
    {
        // A symbolic batch planned at 64: the stem's output alone is 16.8 MB there, so the first layers go one image at a time.
        string model = Path.Combine(Cardinal.Tests.Models.TorchvisionZooTests.ZooFolder, "tiny_resnet_basic", "model.onnx");
        References.Require(model, References.RunTestScript);
        References.RequireBlockedTier(Cardinal.Kernels.Cpu.CpuPlatform.Default.BlockSize > 0, "the depth-first schedule (a blocked-layout pass)");
        var batched = Run("inspect", model, "--batch", "64", "--threads", "1");
        Assert.That(batched.Code, Is.EqualTo(0), batched.Err);
        Assert.That(batched.Out, Does.Contain("at [64,3,64,64]"));
        Assert.That(batched.Out, Does.Match(@"(?m)schedule   depth first: the first \d+ steps one part at a time \(64 parts\), the rest on the whole batch\r?$"), "one thread: the parts one after another");
        var twoThreads = Run("inspect", model, "--batch", "64", "--threads", "2");
        Assert.That(twoThreads.Code, Is.EqualTo(0), twoThreads.Err);
        Assert.That(twoThreads.Out, Does.Contain("(64 parts), the rest on the whole batch; the parts side by side, 2 at a time (one thread each)"));
        var single = Run("inspect", model, "--threads", "1");
        Assert.That(single.Code, Is.EqualTo(0), single.Err);
        Assert.That(single.Out, Does.Contain("at [1,3,64,64] (symbolic dimensions taken as 1)").And.Not.Contain("schedule"));
        var refused = Run("inspect", model, "--batch", "0");
        Assert.That(refused.Code, Is.Not.EqualTo(0));
        Assert.That(refused.Err, Does.Contain("--batch"));
    }

    [Test]
    public void Run_WritesOutputNpy()
    {
        var r = Run("run", "--model", _model, "--input", F("x.npy"), "--output", $"Y={F("y.npy")}", "--threads", "1");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(NpyFile.Read(F("y.npy")).Floats.ToArray(), Is.EqualTo(new float[] { 2, 0, 4, 0 }));
    }

    [Test]
    public void Verify_Matching_ExitsZeroAndPrintsErrors()
    {
        var r = Run("verify", "--model", _model, "--input", $"X={F("x.npy")}", "--expected", F("good.npy"));
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Out, Does.Contain("max abs").And.Contain("ok"));
    }

    [Test]
    public void Verify_Mismatch_ExitsOne()
    {
        var r = Run("verify", "--model", _model, "--input", F("x.npy"), "--expected", F("bad.npy"), "--rtol", "1e-3", "--atol", "1e-4");
        Assert.That(r.Code, Is.EqualTo(1));
        Assert.That(r.Out, Does.Contain("FAIL"));
    }

    [Test]
    public void Verify_LooseTolerance_Passes()
    {
        var r = Run("verify", "--model", _model, "--input", F("x.npy"), "--expected", F("bad.npy"), "--atol", "0.2");
        Assert.That(r.Code, Is.EqualTo(0), r.Out);
    }

    [TestCase("frobnicate")]
    [TestCase("run", "--bogus", "1")]
    [TestCase("run", "--threads", "0")]
    [TestCase("verify", "--input", "x.npy")]
    public void BadArguments_ExitTwoWithOneLine(params string[] args)
    {
        var r = Run(args);
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), r.Err);
        Assert.That(r.Err, Does.StartWith("cardinal: "));
    }

    [Test]
    public void MissingModel_ExitsTwo()
    {
        var r = Run("inspect", F("missing.onnx"));
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("not found"));
    }

    [Test]
    public void CorruptModel_ExitsTwoWithoutStackTrace()
    {
        File.WriteAllBytes(F("junk.onnx"), [1, 2, 3, 4, 5, 0xff, 0xff]);
        var r = Run("inspect", F("junk.onnx"));
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Not.Contain("   at "));
    }

    [Test]
    public void BadNpyInput_ExitsTwo()
    {
        File.WriteAllText(F("bad-header.npy"), "nope");
        var r = Run("run", "--model", _model, "--input", F("bad-header.npy"));
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("magic"));
    }

    [Test]
    public void WrongInputShape_ExitsTwo()
    {
        NpyFile.Write(F("wrong.npy"), Tensor.FromArray(new float[3], 1, 3));
        var r = Run("run", "--model", _model, "--input", F("wrong.npy"));
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("[1,3]"));
    }

    [Test]
    public void UnknownOutputName_ExitsTwo()
    {
        var r = Run("run", "--model", _model, "--input", F("x.npy"), "--output", $"Nope={F("y.npy")}");
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("Nope"));
    }

    [Test]
    public void Inspect_ShowsOperatorsParametersAndFlops()
    {
        var r = Run("inspect", _model);
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Out, Does.Contain("Add").And.Contain("Relu").And.Contain("parameters 4").And.Contain("GFLOP"));
    }

    [Test]
    public void Bench_Json_ReportsMedianAndPath()
    {
        var r = Run("bench", "--model", _model, "--runs", "5", "--threads", "1", "--json");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Out);
        Assert.That(doc.RootElement.GetProperty("medianMs").GetDouble(), Is.GreaterThan(0));
        Assert.That(doc.RootElement.GetProperty("backend").GetString(), Does.StartWith("cpu (threads=1,"));
        Assert.That(doc.RootElement.GetProperty("runs").GetInt32(), Is.EqualTo(5));
        Assert.That(doc.RootElement.GetProperty("weightsMiB").GetDouble(), Is.GreaterThanOrEqualTo(0));
        Assert.That(doc.RootElement.GetProperty("peakWorkingSetMiB").GetDouble(), Is.GreaterThan(0));
    }

    [Test]
    public void Devices_ListsCpuAndIlgpu()
    {
        var r = Run("devices");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Out, Does.Contain("--device cpu").And.Contain("ilgpu-cpu"));
    }

    [TestCase("quantum", "unknown device")]
    public void UnknownDevice_ExitsTwo(string device, string message)
    {
        var r = Run("run", "--model", _model, "--device", device);
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain(message));
    }

    [Test]
    public void Run_OnIlgpuCpuDevice_MatchesCpu()
    {
        var r = Run("run", "--model", _model, "--input", F("x.npy"), "--output", F("y-gpu.npy"), "--device", "ilgpu-cpu");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(NpyFile.Read(F("y-gpu.npy")).Floats.ToArray(), Is.EqualTo(new float[] { 2, 0, 4, 0 }));
    }

    [TestCase("inspect")]
    [TestCase("run")]
    [TestCase("verify")]
    public void UndefinedAttribute_ExitsTwoWithOneLineNamingIt(string verb)
    {
        File.WriteAllBytes(F("groux.onnx"), OnnxAttributeCheckTests.ConvWith(Cardinal.Formats.Onnx.OnnxWriter.IntAttribute("groux", 2)));
        NpyFile.Write(F("x4.npy"), Tensor.FromArray(new float[32], 1, 2, 4, 4));
        NpyFile.Write(F("y4.npy"), Tensor.FromArray(new float[8], 1, 2, 2, 2));
        var r = verb switch
        {
            "inspect" => Run("inspect", F("groux.onnx")),
            "run" => Run("run", "--model", F("groux.onnx"), "--input", F("x4.npy")),
            _ => Run("verify", "--model", F("groux.onnx"), "--input", F("x4.npy"), "--expected", F("y4.npy")),
        };
        Assert.That(r.Code, Is.EqualTo(2), r.Out);
        Assert.That(r.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), r.Err);
        Assert.That(r.Err.TrimEnd(), Is.EqualTo("cardinal: " + OnnxAttributeCheckTests.GrouxMessage));
    }

    private static string ConstantCase => Path.Combine(References.OnnxTestData, "node", "test_constant");

    [Test]
    public void Verify_ModelWithoutInputs_RunsWithNoneAndMatchesTheSuiteOutput()
    {
        string dir = References.Require(ConstantCase, References.RunTestScript);
        var expected = Cardinal.Formats.Onnx.OnnxTensorConverter.ToTensor(
            Cardinal.Formats.Onnx.OnnxReader.ReadTensorFile(Path.Combine(dir, "test_data_set_0", "output_0.pb")), null, "expected");
        NpyFile.Write(F("constant.npy"), expected);
        var r = Run("verify", "--model", Path.Combine(dir, "model.onnx"), "--expected", F("constant.npy"), "--threads", "1");
        Assert.That(r.Code, Is.EqualTo(0), r.Err + r.Out);
        Assert.That(r.Out, Does.StartWith("ok "));
        Assert.That(r.Err, Is.Empty);
    }

    [Test]
    public void Run_ModelWithoutInputs_RunsWithNone()
    {
        string dir = References.Require(ConstantCase, References.RunTestScript);
        var r = Run("run", "--model", Path.Combine(dir, "model.onnx"), "--output", F("values.npy"), "--threads", "1");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Err, Is.Empty, "no input is made up for a model that takes none");
        var expected = Cardinal.Formats.Onnx.OnnxTensorConverter.ToTensor(
            Cardinal.Formats.Onnx.OnnxReader.ReadTensorFile(Path.Combine(dir, "test_data_set_0", "output_0.pb")), null, "expected");
        Assert.That(NpyFile.Read(F("values.npy")).Floats.ToArray(), Is.EqualTo(expected.Floats.ToArray()));
    }

    [Test]
    public void Verify_ModelWithInputsButNoInputFlag_ExitsTwoNamingTheInput()
    {
        var r = Run("verify", "--model", _model, "--expected", F("good.npy"));
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Err, Does.StartWith("cardinal: ").And.Contain("--input").And.Contain("'X'"));
    }

    [Test]
    public void Inspect_DefaultModel_ShowsResNet18()
    {
        References.Require(Path.Combine(AppContext.BaseDirectory, "models", "resnet18-mlnet.onnx"), "Build restores the default model.");
        var r = Run("inspect");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Out, Does.Contain("Conv").And.Contain("[1,512,1,1]"));
    }
}
