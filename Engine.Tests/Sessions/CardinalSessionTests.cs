using System.Diagnostics;
using System.Text.Json;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Gpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Sessions;

/// <summary>The one-line open: a path, a stream (seekable or not) or bytes; one options object for device and threads; the model's metadata.</summary>
[TestFixture, NonParallelizable]
public class CardinalSessionTests
{
    private static readonly int[] Shape = [1, 3, 16, 16];
    private byte[] _bytes = [];
    private string _path = "";
    private float[] _input = [], _expected = [];

    [OneTimeSetUp]
    public void WriteModel()
    {
        _bytes = TestModels.SmallResidualNet();
        _path = TestModels.WriteTemp(_bytes, "facade");
        _input = TestModels.RandomData(3 * 16 * 16, 11);
        using var reference = InferenceSession.Open(OnnxImporter.Load(_path), new CpuBackend(new CpuBackendOptions { Threads = 1 }));
        _expected = reference.Run(Tensor.FromArray(_input, Shape)).Floats.ToArray();
    }

    [OneTimeTearDown] public void DeleteModel() => File.Delete(_path);
    [TearDown] public void ForgetGpu() => DeviceBackends.Reset();

    private float[] Answer(InferenceSession session) => session.Run(Tensor.FromArray(_input, Shape)).Floats.ToArray();

    [Test]
    public void Open_PathStreamsAndBytes_AllGiveTheLowLevelAnswer()
    {
        var options = new SessionOptions { Threads = 1 };
        using (var s = CardinalSession.Open(_path, options)) Assert.That(Answer(s), Is.EqualTo(_expected), "path");
        using (var file = File.OpenRead(_path))
        using (var s = CardinalSession.Open(file, options)) Assert.That(Answer(s), Is.EqualTo(_expected), "file stream");

        // A seekable stream is read from its position: 7 bytes of something else come first.
        using (var offset = new MemoryStream([.. new byte[7], .. _bytes]) { Position = 7 })
        using (var s = CardinalSession.Open(offset, options)) Assert.That(Answer(s), Is.EqualTo(_expected), "seekable stream at offset 7");

        using (var pipe = new NonSeekableStream(new MemoryStream(_bytes)))
        using (var s = CardinalSession.Open(pipe, options)) Assert.That(Answer(s), Is.EqualTo(_expected), "non-seekable stream");

        byte[] padded = [.. new byte[3], .. _bytes, .. new byte[5]];
        using (var s = CardinalSession.Open(padded.AsMemory(3, _bytes.Length), options)) Assert.That(Answer(s), Is.EqualTo(_expected), "bytes");
    }

    [Test]
    public void Open_LeavesTheStreamOpen()
    {
        using var file = File.OpenRead(_path);
        using (CardinalSession.Open(file, new SessionOptions { Threads = 1 })) { }
        Assert.That(file.CanRead, Is.True);
    }

    [Test]
    public void NonSeekableStream_PastMaxModelBytes_IsRefusedClearly_EvenWhenEndless()
    {
        var options = new SessionOptions { Threads = 1, MaxModelBytes = 1 << 20 };
        var watch = Stopwatch.StartNew();
        Assert.That(() => CardinalSession.Open(new NonSeekableStream(new EndlessStream()), options),
            Throws.TypeOf<ModelFormatException>().With.Message.Contains("MaxModelBytes").And.Message.Contains("1048576"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "refused as soon as the limit passed");
        // Just under the limit is fine.
        using var s = CardinalSession.Open(new NonSeekableStream(new MemoryStream(_bytes)), options with { MaxModelBytes = _bytes.Length });
        Assert.That(Answer(s), Is.EqualTo(_expected));
    }

    [Test]
    public void BadModels_GetOurErrors()
    {
        Assert.That(() => CardinalSession.Open(new MemoryStream()), Throws.TypeOf<ModelFormatException>().With.Message.Contains("empty"));
        Assert.That(() => CardinalSession.Open(new NonSeekableStream(new MemoryStream(_bytes[..(_bytes.Length / 2)]))), Throws.InstanceOf<CardinalException>());
        Assert.That(() => CardinalSession.Open(TestModels.RandomData(64, 3).Select(f => (byte)(f * 100)).ToArray().AsMemory()), Throws.InstanceOf<CardinalException>());
        Assert.That(() => CardinalSession.Open("/nonexistent/model.onnx"), Throws.TypeOf<ModelFormatException>().With.Message.Contains("not found"));
        Assert.That(() => CardinalSession.Open(_path, new SessionOptions { Threads = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Options_DecideTheThreadsAndTheName()
    {
        using var s = CardinalSession.Open(_path, new SessionOptions { Threads = 3, Name = "tiny" });
        Assert.That(s.Backend.Description, Does.StartWith("cpu (threads=3,"));
        Assert.That(s.Name, Is.EqualTo("tiny"));
        using var d = CardinalSession.Open(_path);
        Assert.That(d.Backend.Description, Does.StartWith($"cpu (threads={Environment.ProcessorCount},"), "default: the processor count");
    }

    [Test]
    public void LowLevelOpen_RefusesDeviceAndThreads_ThatItWouldNotRead()
    {
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        Assert.That(() => InferenceSession.Open(OnnxImporter.Load(_path), backend, new SessionOptions { Threads = 2 }, ownsBackend: false),
            Throws.ArgumentException.With.Message.Contains("CardinalSession.Open"));
        Assert.That(() => InferenceSession.Open(OnnxImporter.Load(_path), backend, new SessionOptions { Device = Device.Cpu }, ownsBackend: false),
            Throws.ArgumentException);
    }

    [Test]
    public void GpuDevice_WithoutTheGpuPackage_NamesIt_AndAutoFallsBackToTheCpu()
    {
        DeviceBackends.Reset();
        foreach (Device gpu in new[] { Device.Cuda, Device.OpenCL, Device.IlgpuCpu })
            Assert.That(() => CardinalSession.Open(_path, new SessionOptions { Device = gpu }),
                Throws.TypeOf<DeviceNotRegisteredException>().With.Message.Contains("Cardinal.Kernels.Gpu").And.Message.Contains("CardinalGpu.Register()"));
        using var auto = CardinalSession.Open(_path, new SessionOptions { Device = Device.Auto, Threads = 1 });
        Assert.That(auto.Backend.Description, Does.StartWith("cpu"));
    }

    [Test]
    public void GpuDevice_Registered_RunsTheGpuKernels()
    {
        CardinalGpu.Register();
        using var s = CardinalSession.Open(_path, new SessionOptions { Device = Device.IlgpuCpu });
        Assert.That(s.Backend, Is.TypeOf<GpuBackend>());
        TensorAssert.Close(Tensor.FromArray(_expected, 1, 8), Tensor.FromArray(Answer(s), 1, 8), 1e-4, 1e-5, "ILGPU CPU accelerator vs CPU kernels");
    }

    [Test]
    public void CpuOnlyAssemblies_DoNotReferenceIlgpu()
    {
        // What keeps ILGPU out of a CPU-only program (the NativeAOT service): no path to it from the facade.
        foreach (var assembly in new[] { typeof(CardinalSession).Assembly, typeof(InferenceSession).Assembly, typeof(CpuBackend).Assembly })
            Assert.That(assembly.GetReferencedAssemblies().Select(a => a.Name), Has.None.StartsWith("ILGPU").And.None.EqualTo("Cardinal.Kernels.Gpu"), assembly.GetName().Name);
    }

    [Test]
    public void OnnxOnlyAssemblies_DoNotReferenceImageSharp()
    {
        // ImageSharp reaches only the users of Cardinal.Formats.Images: a program that runs ONNX models never loads it.
        foreach (var assembly in new[] { typeof(CardinalSession).Assembly, typeof(InferenceSession).Assembly, typeof(CpuBackend).Assembly })
            Assert.That(assembly.GetReferencedAssemblies().Select(a => a.Name), Has.None.StartsWith("SixLabors"), assembly.GetName().Name);
        var images = typeof(Cardinal.Formats.Images.ImageSharpDecoder).Assembly;
        Assert.That(images.GetName().Name, Is.EqualTo("Cardinal.Formats.Images"));
        Assert.That(images.GetReferencedAssemblies().Select(a => a.Name), Does.Contain("SixLabors.ImageSharp").And.Contain("Cardinal.Formats"));
    }

    [Test]
    public void Metadata_FromTheFile()
    {
        // Protobuf messages concatenate as a merge: prefix producer_name (2) and producer_version (3) fields.
        byte[] withProducer = [.. new ProtoWriter().String(2, "unit-test").String(3, "1.2.3").ToArray(), .. _bytes];
        using var s = CardinalSession.Open(withProducer, new SessionOptions { Threads = 1 });
        Assert.That(s.Metadata.ProducerName, Is.EqualTo("unit-test"));
        Assert.That(s.Metadata.ProducerVersion, Is.EqualTo("1.2.3"));
        Assert.That(s.Metadata.IrVersion, Is.EqualTo(8));
        Assert.That(s.Graph.Metadata, Is.SameAs(s.Metadata), "kept through BatchNorm folding's copy");
    }

    [TestCase("bundled")]
    [TestCase("resnet18")]
    public void Metadata_MatchesOnnxsOwnReading(string which)
    {
        string path = which == "bundled" ? DefaultModelTests.ModelPath
            : Path.Combine(References.Cache, "torchvision", "current", which, "model.onnx");
        References.Require(path, References.RunTestScript);
        References.Require("/usr/lib/python3/dist-packages/onnx", References.RunTestScript);
        using var python = Process.Start(new ProcessStartInfo("/usr/bin/python3",
            ["-c", "import onnx, json, sys; m = onnx.load(sys.argv[1], load_external_data=False); " +
                   "print(json.dumps({'producer_name': m.producer_name, 'producer_version': m.producer_version, 'ir_version': m.ir_version, " +
                   "'doc_string': m.doc_string, 'domain': m.domain, 'model_version': m.model_version, " +
                   "'metadata_props': {p.key: p.value for p in m.metadata_props}}))", path])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string json = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        Assert.That(python.ExitCode, Is.EqualTo(0), python.StandardError.ReadToEnd());
        using var reference = JsonDocument.Parse(json);
        using var s = CardinalSession.Open(path, new SessionOptions { Threads = 1 });
        Assert.That(s.Metadata.ProducerName, Is.EqualTo(reference.RootElement.GetProperty("producer_name").GetString()));
        Assert.That(s.Metadata.ProducerVersion, Is.EqualTo(reference.RootElement.GetProperty("producer_version").GetString()));
        Assert.That(s.Metadata.IrVersion, Is.EqualTo(reference.RootElement.GetProperty("ir_version").GetInt64()));
        Assert.That(s.Metadata.DocString, Is.EqualTo(reference.RootElement.GetProperty("doc_string").GetString()));
        Assert.That(s.Metadata.Domain, Is.EqualTo(reference.RootElement.GetProperty("domain").GetString()));
        Assert.That(s.Metadata.ModelVersion, Is.EqualTo(reference.RootElement.GetProperty("model_version").GetInt64()));
        var props = reference.RootElement.GetProperty("metadata_props").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.That(s.Metadata.Properties, Is.EquivalentTo(props));
        Assert.That(s.Metadata.ProducerName, Is.Not.Empty, "both files name their producer");
    }

    /// <summary>A stream that cannot seek or tell its length, as a network response.</summary>
    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }

    /// <summary>Bytes forever (a hostile or broken sender).</summary>
    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) { buffer.AsSpan(offset, count).Fill(0x0A); return count; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
