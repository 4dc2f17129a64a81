using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Planning;

/// <summary>One session, many callers: every concurrent answer is bit-identical to the sequential one.</summary>
[TestFixture]
public class ConcurrencyTests
{
    [Test]
    public void SharedSession_ConcurrentRuns_AreBitIdenticalToSequential()
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, "tiny_resnext_8x4d");
        References.Require(Path.Combine(folder, "model.onnx"), References.RunTestScript);
        using var session = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), new CpuBackend(new CpuBackendOptions { Threads = 2 }));
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        float[] sequential = session.Run(input).Floats.ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            float[] got = session.Run(input).Floats.ToArray();
            if (!got.AsSpan().SequenceEqual(sequential)) failures.Add($"run {i} differs");
        });
        Assert.That(failures, Is.Empty);
    }
}
