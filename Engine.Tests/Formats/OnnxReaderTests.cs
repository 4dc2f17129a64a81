using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Formats;

/// <summary>Malformed, hostile and unsupported models: each must end in our own exception, at load, quickly.</summary>
[TestFixture]
public class OnnxReaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("cardinal-onnx-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Write(byte[] bytes, string name = "model.onnx")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static InferenceSession Open(string path) =>
        InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 1 }));

    [Test]
    public void BuiltModel_Valid_RunsAndComputesReluOfSum()
    {
        using var session = Open(Write(TestModels.AddRelu()));
        Tensor y = session.Run(Tensor.FromArray(new float[] { 1, 1, 1, 1 }, 1, 4));
        Assert.That(y.Floats.ToArray(), Is.EqualTo(new float[] { 2, 0, 4, 0 }));
    }

    [Test]
    public void Load_EveryTruncation_ThrowsModelFormatException()
    {
        byte[] bytes = TestModels.AddRelu();
        for (int length = 0; length < bytes.Length; length++)
        {
            string path = Write(bytes[..length]);
            Assert.That(() => Open(path).Dispose(), Throws.InstanceOf<CardinalException>(), $"truncated to {length} of {bytes.Length} bytes");
        }
    }

    [Test]
    public void Load_BitFlips_LoadOrThrowOurExceptionOnly()
    {
        byte[] original = TestModels.AddRelu();
        var random = new Random(42);
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            int flips = 1 + random.Next(3);
            for (int f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            string path = Write(bytes);
            try
            {
                using var session = Open(path);
                if (session.Inputs.Count == 1 && session.Inputs[0].ElementType == ElementType.Float32 && session.Inputs[0].Dims is { } dims && dims.All(d => d.IsFixed))
                    session.Run(Tensor.Create(ElementType.Float32, dims.Select(d => d.Size!.Value).ToArray()));
            }
            catch (CardinalException) { }
            catch (Exception e) { Assert.Fail($"trial {trial}: {e.GetType().Name}: {e.Message}"); }
        }
    }

    [Test]
    public void Load_RandomBytes_ThrowsModelFormatException()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            byte[] bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            string path = Write(bytes);
            Assert.That(() => Open(path).Dispose(), Throws.InstanceOf<CardinalException>(), $"trial {trial}");
        }
    }

    [Test]
    public void Load_EmptyFile_ThrowsModelFormatException()
    {
        Assert.That(() => OnnxModel.Load(Write([])), Throws.TypeOf<ModelFormatException>().With.Message.Contains("empty"));
    }

    [Test]
    public void Load_MissingFile_ThrowsModelFormatException()
    {
        Assert.That(() => OnnxModel.Load(Path.Combine(_dir, "nope.onnx")), Throws.TypeOf<ModelFormatException>().With.Message.Contains("not found"));
    }

    [Test]
    public void Load_InitializerOfTrillionElements_RefusedBeforeAllocating()
    {
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Add", ["X", "B"], ["Y"])],
            [OnnxWriter.Tensor("B", OnnxWriter.Float, [1_000_000, 1_000_000])],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        long before = GC.GetTotalAllocatedBytes();
        Assert.That(() => OnnxImporter.Load(Write(model)), Throws.TypeOf<InvalidModelException>().With.Message.Contains("1000000"));
        Assert.That(GC.GetTotalAllocatedBytes() - before, Is.LessThan(16 << 20), "must not allocate for the declared size");
    }

    [Test]
    public void Load_InitializerShorterThanShape_ThrowsNamingTheTensor()
    {
        byte[] raw = new byte[12]; // 3 floats for a shape of 4
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Add", ["X", "B"], ["Y"])],
            [OnnxWriter.Tensor("B", OnnxWriter.Float, [4], raw: raw)],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        Assert.That(() => OnnxImporter.Load(Write(model)), Throws.TypeOf<ModelFormatException>().With.Message.Contains("'B'").And.Message.Contains("12 bytes"));
    }

    [Test]
    public void Load_TypedFieldShorterThanShape_Throws()
    {
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Add", ["X", "B"], ["Y"])],
            [OnnxWriter.Tensor("B", OnnxWriter.Float, [4], floats: [1, 2])],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        Assert.That(() => OnnxImporter.Load(Write(model)), Throws.TypeOf<ModelFormatException>().With.Message.Contains("holds 2 values"));
    }

    [TestCase("../secret.bin")]
    [TestCase("sub/../../secret.bin")]
    [TestCase("/etc/passwd")]
    public void Load_ExternalDataOutsideModelFolder_Refused(string location)
    {
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Add", ["X", "B"], ["Y"])],
            [OnnxWriter.ExternalTensor("B", [4], location)],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        string sub = Directory.CreateDirectory(Path.Combine(_dir, "m")).FullName;
        File.WriteAllBytes(Path.Combine(_dir, "secret.bin"), new byte[16]);
        File.WriteAllBytes(Path.Combine(sub, "model.onnx"), model);
        Assert.That(() => OnnxImporter.Load(Path.Combine(sub, "model.onnx")), Throws.TypeOf<ModelFormatException>().With.Message.Contains(location));
    }

    [Test]
    public void Load_ExternalDataInsideModelFolder_ReadsIt()
    {
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Add", ["X", "B"], ["Y"])],
            [OnnxWriter.ExternalTensor("B", [4], "weights/b.bin")],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        Directory.CreateDirectory(Path.Combine(_dir, "weights"));
        File.WriteAllBytes(Path.Combine(_dir, "weights", "b.bin"), new float[] { 1, 2, 3, 4 }.SelectMany(BitConverter.GetBytes).ToArray());
        using var session = Open(Write(model));
        Assert.That(session.Run(Tensor.FromArray(new float[4], 1, 4)).Floats.ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void Load_ExternalDataFileTooShort_Throws()
    {
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Add", ["X", "B"], ["Y"])],
            [OnnxWriter.ExternalTensor("B", [4], "b.bin")],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        File.WriteAllBytes(Path.Combine(_dir, "b.bin"), new byte[8]);
        Assert.That(() => OnnxImporter.Load(Write(model)), Throws.TypeOf<ModelFormatException>().With.Message.Contains("needs 16"));
    }

    [Test]
    public void Load_UnknownOperator_NamesOpNodeAndOpset()
    {
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("LSTM", ["X"], ["Y"], "my_lstm")], [],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        Assert.That(() => OnnxImporter.Load(Write(model)),
            Throws.TypeOf<UnsupportedModelException>().With.Message.Contains("'LSTM'").And.Message.Contains("my_lstm").And.Message.Contains("opset 13"));
    }

    [Test]
    public void Load_OpsetBeyondSupported_Refused()
    {
        byte[] model = OnnxWriter.Model(21, [OnnxWriter.Node("Relu", ["X"], ["Y"])], [],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        Assert.That(() => OnnxImporter.Load(Write(model)), Throws.TypeOf<UnsupportedModelException>().With.Message.Contains("opset 21"));
    }

    [Test]
    public void Open_ShapesThatCannotMeet_FailsAtLoadNotAtRun()
    {
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Add", ["X", "B"], ["Y"], "bad_add")],
            [OnnxWriter.Tensor("B", OnnxWriter.Float, [3], floats: [1, 2, 3])],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        Assert.That(() => Open(Write(model)), Throws.TypeOf<InvalidModelException>().With.Message.Contains("bad_add"));
    }

    [Test]
    public void Open_NodeReadsUndefinedValue_Throws()
    {
        byte[] model = OnnxWriter.Model(13, [OnnxWriter.Node("Relu", ["nowhere"], ["Y"], "r")], [],
            [OnnxWriter.ValueInfo("X", OnnxWriter.Float, 1, 4)], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, 1, 4)]);
        Assert.That(() => Open(Write(model)), Throws.TypeOf<InvalidModelException>().With.Message.Contains("'nowhere'"));
    }
}
