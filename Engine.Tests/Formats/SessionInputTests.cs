using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Formats;

/// <summary>Inputs that do not match the model: a clear <see cref="InputMismatchException"/>, never a wrong answer.</summary>
[TestFixture]
public class SessionInputTests
{
    private InferenceSession _session = null!;

    [OneTimeSetUp]
    public void Open()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cardinal-addrelu-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(path, TestModels.AddRelu());
        _session = InferenceSession.Open(OnnxImporter.Load(path), new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        File.Delete(path);
    }

    [OneTimeTearDown]
    public void Close() => _session.Dispose();

    [Test]
    public void Run_WrongRank_Throws() =>
        Assert.That(() => _session.Run(Tensor.FromArray(new float[4], 4)), Throws.TypeOf<InputMismatchException>().With.Message.Contains("[1,4]"));

    [Test]
    public void Run_WrongShape_Throws() =>
        Assert.That(() => _session.Run(Tensor.FromArray(new float[5], 1, 5)), Throws.TypeOf<InputMismatchException>().With.Message.Contains("[1,5]"));

    [Test]
    public void Run_WrongName_Throws() =>
        Assert.That(() => _session.Run(new Dictionary<string, Tensor> { ["Z"] = Tensor.FromArray(new float[4], 1, 4) }),
            Throws.TypeOf<InputMismatchException>().With.Message.Contains("'Z'"));

    [Test]
    public void Run_MissingInput_Throws() =>
        Assert.That(() => _session.Run(new Dictionary<string, Tensor>()), Throws.TypeOf<InputMismatchException>().With.Message.Contains("'X'"));

    [Test]
    public void Run_WrongElementType_Throws() =>
        Assert.That(() => _session.Run(Tensor.FromArray(new long[4], 1, 4)), Throws.TypeOf<InputMismatchException>().With.Message.Contains("float32"));
}
