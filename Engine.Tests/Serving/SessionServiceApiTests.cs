using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cardinal.Diagnostics;
using Cardinal.Formats.Onnx;
using Cardinal.Graph;
using Cardinal.Kernels.Cpu;
using Cardinal.Planning;
using Cardinal.Tests.TestUtilities;
using NumericsTensor = System.Numerics.Tensors.Tensor;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Tests.Serving;

/// <summary>The session surface a service uses: span, memory and TensorSpan runs, async runs that cancel between layers, warm-up, telemetry.</summary>
[TestFixture]
public class SessionServiceApiTests
{
    private static readonly int[] Shape = [1, 3, 16, 16];
    private string _model = "";

    [OneTimeSetUp] public void WriteModel() => _model = TestModels.WriteTemp(TestModels.SmallResidualNet(), "small-residual");
    [OneTimeTearDown] public void DeleteModel() => File.Delete(_model);

    private InferenceSession Open(int threads = 1) =>
        InferenceSession.Open(OnnxImporter.Load(_model), new CpuBackend(new CpuBackendOptions { Threads = threads }), new SessionOptions { Name = "small-residual" });

    [Test]
    public void SpanMemoryAndTensorSpanRuns_EqualTheTensorRun()
    {
        using var session = Open();
        float[] data = TestModels.RandomData(3 * 16 * 16, 1);
        float[] expected = session.Run(Tensor.FromArray(data, Shape)).Floats.ToArray();

        var span = new float[session.OutputLength(Shape)];
        session.Run(data, Shape, span);
        Assert.That(span, Is.EqualTo(expected));

        var memory = new float[8];
        session.Run(data.AsMemory(), Shape, memory.AsMemory());
        Assert.That(memory, Is.EqualTo(expected));

        var tensor = NumericsTensor.Create(data, [1, 3, 16, 16]);
        var result = session.Run(tensor);
        Assert.That(result.Lengths.ToArray(), Is.EqualTo(new nint[] { 1, 8 }));
        Assert.That(result.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void SpanRuns_AfterWarmup_AllocateNothingAndCollectNothing()
    {
        using var session = Open();
        session.Warmup(Shape);
        float[] data = TestModels.RandomData(3 * 16 * 16, 2), output = new float[8];
        var input = NumericsTensor.Create(data, [1, 3, 16, 16]);
        var outputTensor = NumericsTensor.CreateFromShape<float>([1, 8]);
        session.Run(input.AsReadOnlyTensorSpan(), outputTensor.AsTensorSpan()); // the TensorSpan path's first call

        int gen0 = GC.CollectionCount(0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) session.Run(data, Shape, output);
        for (int i = 0; i < 100; i++) session.Run(input.AsReadOnlyTensorSpan(), outputTensor.AsTensorSpan());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.EqualTo(0), "bytes allocated by 1,100 steady-state runs");
        Assert.That(GC.CollectionCount(0) - gen0, Is.EqualTo(0), "Gen0 collections during the loop");
        Assert.That(outputTensor.ToArray(), Is.EqualTo(output));
    }

    [Test]
    public void AlternatingBatchSizes_AfterWarmup_AllocateNothing()
    {
        // A batcher alternates sizes: each recent shape keeps its plan entry and staging tensors.
        using var session = Open();
        int[] two = [2, 3, 16, 16];
        session.Warmup(Shape);
        session.Warmup(two);
        float[] one = TestModels.RandomData(768, 4), both = TestModels.RandomData(2 * 768, 5);
        float[] out1 = new float[8], out2 = new float[16];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            session.Run(one, Shape, out1);
            session.Run(both, two, out2);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    [Test]
    public void SpanRun_WrongLengths_ThrowOurException()
    {
        using var session = Open();
        Assert.That(() => session.Run(new float[10], Shape, new float[8]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("768"));
        Assert.That(() => session.Run(new float[768], Shape, new float[7]), Throws.TypeOf<InputMismatchException>().With.Message.Contains("[1,8]"));
        Assert.That(() => session.Run(new float[768], [1, 4, 16, 16], new float[8]), Throws.TypeOf<InputMismatchException>());
    }

    [Test]
    public void EightCallers_TenThousandRuns_BitIdenticalToSequential()
    {
        using var session = Open(threads: 2);
        const int inputs = 16;
        float[][] data = [.. Enumerable.Range(0, inputs).Select(i => TestModels.RandomData(768, 100 + i))];
        float[][] sequential = [.. data.Select(d => { var o = new float[8]; session.Run(d, Shape, o); return o; })];
        int mismatches = 0;
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, caller =>
        {
            var output = new float[8];
            for (int i = 0; i < 1250; i++)
            {
                int which = (caller * 7 + i) % inputs;
                try
                {
                    session.Run(data[which], Shape, output);
                    if (!output.AsSpan().SequenceEqual(sequential[which])) Interlocked.Increment(ref mismatches);
                }
                catch (Exception e) { errors.Add(e); }
            }
        });
        Assert.That(errors, Is.Empty);
        Assert.That(mismatches, Is.EqualTo(0), "answers that differ from the sequential one, of 10,000");
    }

    /// <summary>Wraps each CPU kernel: counts the steps that ran, and cancels a token when step <c>cancelAt</c> runs.</summary>
    private sealed class CancellingBackend(CancellationTokenSource source, int cancelAt) : IBackend
    {
        private readonly CpuBackend _cpu = new(new CpuBackendOptions { Threads = 1 });
        public int StepsRun;
        public string Description => "cancelling test backend";
        public ICompiledPlan Compile(ExecutionPlan plan) => new KernelExecutor(plan, step => new Counting(this, _cpu.CreateKernel(plan, step)));
        // A wrapper runs the plans its backend would: with its passes (the layout pass among them).
        public IReadOnlyList<Cardinal.Passes.IPlanPass> Passes => _cpu.Passes;
        public IBackend ConstantFolder => _cpu;
        public void Dispose() => _cpu.Dispose();

        private sealed class Counting(CancellingBackend owner, IKernel inner) : IKernel
        {
            public long WorkspaceBytes => inner.WorkspaceBytes;

            public void Run(Tensor?[] inputs, Tensor[] outputs, Workspace workspace)
            {
                inner.Run(inputs, outputs, workspace);
                if (Interlocked.Increment(ref owner.StepsRun) == owner._cancelAt) owner._source.Cancel();
            }
        }

        private readonly CancellationTokenSource _source = source;
        private readonly int _cancelAt = cancelAt;
    }

    [Test]
    public async Task RunAsync_CancelledMidRun_StopsAtTheNextLayer_AndTheSessionStillWorks()
    {
        using var source = new CancellationTokenSource();
        var backend = new CancellingBackend(source, cancelAt: 2);
        using var session = InferenceSession.Open(OnnxImporter.Load(_model), backend);
        int steps = session.PlanForShapes([Shape]).Steps.Count;
        Assert.That(steps, Is.GreaterThan(3));
        var input = Tensor.FromArray(TestModels.RandomData(768, 3), Shape);
        var output = Tensor.Create(Cardinal.Tensors.ElementType.Float32, [1, 8]);

        Assert.That(async () => await session.RunAsync(input, output, source.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(backend.StepsRun, Is.EqualTo(2), "the run stopped at the layer boundary after the cancel");

        await session.RunAsync(input, output); // a fresh token: the session is still usable
        using var plain = Open();
        Assert.That(output.Floats.ToArray(), Is.EqualTo(plain.Run(input).Floats.ToArray()));
    }

    [Test]
    public void Telemetry_CountsRunsFailuresAndDurations_AndTracesEachRun()
    {
        var measurements = new System.Collections.Concurrent.ConcurrentBag<(string Instrument, double Value, string? Model)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) => { if (instrument.Meter.Name == CardinalTelemetry.Name) listener.EnableMeasurementEvents(instrument); };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? model = null;
            foreach (var tag in tags) if (tag.Key == "cardinal.model") model = tag.Value as string;
            measurements.Add((instrument.Name, value, model));
        }
        meters.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        meters.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        meters.Start();
        var activities = new System.Collections.Concurrent.ConcurrentBag<Activity>();
        using var traces = new ActivityListener
        {
            ShouldListenTo = s => s.Name == CardinalTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(traces);

        using var session = Open();
        float[] output = new float[8];
        for (int i = 0; i < 3; i++) session.Run(TestModels.RandomData(768, i), Shape, output);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.That(() => session.Run(new float[768], Shape, output, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());

        var ours = measurements.Where(m => m.Model == "small-residual").ToList();
        Assert.That(ours.Count(m => m.Instrument == "cardinal.session.runs"), Is.EqualTo(3));
        Assert.That(ours.Count(m => m.Instrument == "cardinal.session.run.failures"), Is.EqualTo(1));
        Assert.That(ours.Where(m => m.Instrument == "cardinal.session.run.duration").Select(m => m.Value).ToList(), Has.Count.EqualTo(3).And.All.GreaterThan(0));
        var runs = activities.Where(a => a.OperationName == "cardinal.run" && (string?)a.GetTagItem("cardinal.model") == "small-residual").ToList();
        Assert.That(runs, Has.Count.EqualTo(4));
        Assert.That(runs.Count(a => a.Status == ActivityStatusCode.Error), Is.EqualTo(1));
    }
}
