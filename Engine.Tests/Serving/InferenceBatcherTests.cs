using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Kernels.Cpu;
using Cardinal.Serving;
using Cardinal.Tests.Models;
using Cardinal.Tests.TestUtilities;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Serving;

/// <summary>Concurrent single-sample requests coalesced into batches: each caller gets its own answer, bit for bit.</summary>
[TestFixture]
public class InferenceBatcherTests
{
    private static readonly int[] Sample = [3, 16, 16];
    private string _model = "";

    [OneTimeSetUp] public void WriteModel() => _model = TestModels.WriteTemp(TestModels.SmallResidualNet(), "batcher");
    [OneTimeTearDown] public void DeleteModel() => File.Delete(_model);

    private InferenceSession Open() => InferenceSession.Open(OnnxImporter.Load(_model), new CpuBackend(new CpuBackendOptions { Threads = 2 }));

    private static float[] Single(InferenceSession session, float[] sample, int[] sampleShape)
    {
        var output = new float[session.OutputLength([1, .. sampleShape])];
        session.Run(sample, [1, .. sampleShape], output);
        return output;
    }

    [Test]
    public async Task ConcurrentRequests_AreBatched_AndEachAnswerIsBitIdenticalToASingleRun()
    {
        using var session = Open();
        await using var batcher = new InferenceBatcher(session, Sample, new BatchingOptions { MaxBatch = 8, MaxWait = TimeSpan.FromMilliseconds(20) });
        batcher.Warmup();
        float[][] samples = [.. Enumerable.Range(0, 40).Select(i => TestModels.RandomData(batcher.SampleLength, 200 + i))];
        float[][] expected = [.. samples.Select(s => Single(session, s, Sample))];

        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Name == "cardinal.session.runs") l.EnableMeasurementEvents(i); };
        int sessionRuns = 0;
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => Interlocked.Add(ref sessionRuns, (int)v));
        listener.Start();

        float[][] outputs = [.. samples.Select(_ => new float[batcher.OutputLength])];
        await Task.WhenAll(samples.Select((s, i) => Task.Run(() => batcher.RunAsync(s, outputs[i]))));
        for (int i = 0; i < samples.Length; i++) Assert.That(outputs[i], Is.EqualTo(expected[i]), $"request {i}");
        Assert.That(sessionRuns, Is.LessThan(samples.Length), "40 concurrent requests took fewer than 40 runs");
    }

    [Test]
    public async Task TorchvisionResNet_BatchedAnswers_AreBitIdenticalToSingleRuns()
    {
        string folder = Path.Combine(TorchvisionZooTests.ZooFolder, "tiny_resnet_bottleneck");
        References.Require(Path.Combine(folder, "model.onnx"), References.RunTestScript);
        using var session = InferenceSession.Open(OnnxImporter.Load(Path.Combine(folder, "model.onnx")), new CpuBackend(new CpuBackendOptions { Threads = 2 }));
        Tensor input = NpyFile.Read(Path.Combine(folder, "input.npy"));
        int[] sample = input.Dims[1..].ToArray();
        int length = Cardinal.Tensors.TensorShape.ElementCount(sample);
        float[][] samples = [.. Enumerable.Range(0, 5).Select(i => TestModels.RandomData(length, 300 + i))];
        await using var batcher = new InferenceBatcher(session, sample, new BatchingOptions { MaxBatch = 4, MaxWait = TimeSpan.FromMilliseconds(50) });
        float[][] outputs = [.. samples.Select(_ => new float[batcher.OutputLength])];
        await Task.WhenAll(samples.Select((s, i) => batcher.RunAsync(s, outputs[i])));
        for (int i = 0; i < samples.Length; i++) Assert.That(outputs[i], Is.EqualTo(Single(session, samples[i], sample)), $"request {i}");
    }

    [Test]
    public async Task FullQueue_RefusesAtOnce_WithQueueFullException()
    {
        using var session = Open();
        // A long wait and a batch larger than the queue: the first request waits for company while the queue fills.
        await using var batcher = new InferenceBatcher(session, Sample, new BatchingOptions { MaxBatch = 8, MaxWait = TimeSpan.FromSeconds(30), QueueCapacity = 2 });
        var sample = new float[batcher.SampleLength];
        var pending = new List<Task>();
        Exception? refused = null;
        for (int i = 0; i < 12 && refused is null; i++)
        {
            try { pending.Add(batcher.RunAsync(sample, new float[batcher.OutputLength])); }
            catch (QueueFullException e) { refused = e; }
        }
        Assert.That(refused, Is.Not.Null.And.Message.Contains("full"));
        await batcher.DisposeAsync(); // drains what was queued
        Assert.That(pending.All(t => t.IsCompletedSuccessfully), Is.True);
    }

    [Test]
    public async Task CancelledRequest_IsDroppedFromItsBatch()
    {
        using var session = Open();
        await using var batcher = new InferenceBatcher(session, Sample, new BatchingOptions { MaxBatch = 8, MaxWait = TimeSpan.FromMilliseconds(200) });
        using var cancel = new CancellationTokenSource();
        var output = new float[batcher.OutputLength];
        Task cancelled = batcher.RunAsync(new float[batcher.SampleLength], output, cancel.Token);
        cancel.Cancel();
        Task kept = batcher.RunAsync(TestModels.RandomData(batcher.SampleLength, 9), new float[batcher.OutputLength]);
        await kept;
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(output, Is.All.EqualTo(0f), "a cancelled request's buffer is left alone");
    }

    [Test]
    public void WrongSizes_AndFixedBatchModels_AreRefused()
    {
        using var session = Open();
        using var batcher = new InferenceBatcher(session, Sample);
        Assert.That(() => batcher.RunAsync(new float[5], new float[batcher.OutputLength]), Throws.TypeOf<InputMismatchException>());
        Assert.That(() => batcher.RunAsync(new float[batcher.SampleLength], new float[3]), Throws.TypeOf<InputMismatchException>());
        Assert.That(() => new InferenceBatcher(session, [3, 16]), Throws.TypeOf<InputMismatchException>());
    }
}
