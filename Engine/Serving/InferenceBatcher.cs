using System.Threading.Channels;
using Cardinal.Tensors;

namespace Cardinal.Serving;

/// <summary>
/// Coalesces concurrent single-sample requests into batched runs of one session: up to
/// <see cref="BatchingOptions.MaxBatch"/> samples, the first waiting at most
/// <see cref="BatchingOptions.MaxWait"/>; each caller gets its own output. One batch runs at a time (the
/// session's threads already use the cores); requests past <see cref="BatchingOptions.QueueCapacity"/>
/// are refused with <see cref="QueueFullException"/> rather than queued without bound.
/// </summary>
/// <remarks>
/// For one-input, one-output float models whose first dimension is the batch. A batch's outputs are
/// bit-identical to single-sample runs on the CPU backend: each output element is computed by the same
/// sequence of operations whatever the batch size (tested).
/// </remarks>
public sealed class InferenceBatcher : IAsyncDisposable, IDisposable
{
    private sealed class Request(ReadOnlyMemory<float> sample, Memory<float> output, CancellationToken cancellation)
        : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public ReadOnlyMemory<float> Sample { get; } = sample;
        public Memory<float> Output { get; } = output;
        public CancellationToken Cancellation { get; } = cancellation;
    }

    private readonly InferenceSession _session;
    private readonly BatchingOptions _options;
    private readonly int[] _sampleShape;
    private readonly Channel<Request> _queue;
    private volatile bool _disposed;
    private readonly Dictionary<int, (Tensor Input, Tensor Output)> _batches = [];
    private readonly Task _loop;

    /// <summary>Starts a batcher that gathers single-sample requests into batched runs of <paramref name="session"/>.</summary>
    /// <param name="session">A session whose first input has a free batch dimension.</param>
    /// <param name="sampleShape">One sample's shape without the batch dimension, e.g. [3, 224, 224].</param>
    /// <param name="options">Batch size, wait and queue limits; the defaults when null.</param>
    public InferenceBatcher(InferenceSession session, int[] sampleShape, BatchingOptions? options = null)
    {
        _session = session;
        _options = options ?? new BatchingOptions();
        if (_options.MaxBatch < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxBatch must be at least 1.");
        if (_options.QueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(options), "QueueCapacity must be at least 1.");
        if (_options.MaxWait < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "MaxWait cannot be negative.");
        _sampleShape = [.. sampleShape];
        if (session.Inputs.Count != 1 || session.Inputs[0].Dims is not { } dims || dims.Count != sampleShape.Length + 1)
            throw new InputMismatchException($"Batching needs a one-input model taking [N, {string.Join(", ", sampleShape)}].");
        if (dims[0].Size is int fixedBatch && fixedBatch != 1)
            throw new InputMismatchException($"The model's batch dimension is fixed at {fixedBatch}.");
        if (dims[0].Size == 1 && _options.MaxBatch > 1)
            throw new InputMismatchException("The model's batch dimension is fixed at 1: use MaxBatch = 1, or a model with a symbolic batch.");

        SampleLength = TensorShape.ElementCount(sampleShape);
        OutputLength = session.OutputLength([1, .. sampleShape]);
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, SingleReader = true,
        });
        _loop = Task.Run(RunBatchesAsync);
    }

    /// <summary>Values in one sample's input.</summary>
    public int SampleLength { get; }

    /// <summary>Values in one sample's output.</summary>
    public int OutputLength { get; }

    /// <summary>Requests waiting for a batch.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>
    /// Queues one sample and completes when its output is in <paramref name="output"/>. Throws
    /// <see cref="QueueFullException"/> at once when the queue is full. A request cancelled before its
    /// batch runs is dropped from it.
    /// </summary>
    public Task RunAsync(ReadOnlyMemory<float> sample, Memory<float> output, CancellationToken cancellation = default)
    {
        if (sample.Length != SampleLength) throw new InputMismatchException($"A sample holds {SampleLength} values; got {sample.Length}.");
        if (output.Length != OutputLength) throw new InputMismatchException($"An output holds {OutputLength} values; got a buffer of {output.Length}.");
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellation.ThrowIfCancellationRequested();
        var request = new Request(sample, output, cancellation);
        if (!_queue.Writer.TryWrite(request))
            throw _disposed ? new ObjectDisposedException(nameof(InferenceBatcher)) : new QueueFullException($"The inference queue is full ({_options.QueueCapacity} requests waiting); retry later.");
        return request.Task;
    }

    private async Task RunBatchesAsync()
    {
        var batch = new List<Request>(_options.MaxBatch);
        ChannelReader<Request> reader = _queue.Reader;
        // Ends when disposal completes the queue and the requests already in it have run.
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            Take(reader, batch);
            if (batch.Count < _options.MaxBatch && _options.MaxWait > TimeSpan.Zero)
                await WaitForCompanyAsync(reader, batch).ConfigureAwait(false);
            if (batch.Count > 0) Run(batch);
        }
    }

    private void Take(ChannelReader<Request> reader, List<Request> batch)
    {
        while (batch.Count < _options.MaxBatch && reader.TryRead(out Request? request))
        {
            if (request.Cancellation.IsCancellationRequested) request.TrySetCanceled(request.Cancellation);
            else batch.Add(request);
        }
    }

    private async Task WaitForCompanyAsync(ChannelReader<Request> reader, List<Request> batch)
    {
        using var timeout = new CancellationTokenSource(_options.MaxWait);
        try
        {
            while (batch.Count < _options.MaxBatch && await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                Take(reader, batch);
        }
        catch (OperationCanceledException) { } // waited long enough
    }

    private void Run(List<Request> batch)
    {
        try
        {
            var (input, output) = BatchTensors(batch.Count);
            Span<float> inputs = input.Floats, outputs = output.Floats;
            for (int i = 0; i < batch.Count; i++) batch[i].Sample.Span.CopyTo(inputs.Slice(i * SampleLength, SampleLength));
            inputs[(batch.Count * SampleLength)..].Clear(); // padding: deterministic, and never another request's data
            _session.Run(input, output);
            for (int i = 0; i < batch.Count; i++)
            {
                outputs.Slice(i * OutputLength, OutputLength).CopyTo(batch[i].Output.Span);
                batch[i].TrySetResult();
            }
        }
        catch (Exception e)
        {
            foreach (Request request in batch) request.TrySetException(e);
        }
    }

    /// <summary>Batch tensors of the smallest power-of-two size that holds <paramref name="count"/> (capped at MaxBatch).</summary>
    private (Tensor Input, Tensor Output) BatchTensors(int count)
    {
        int size = Math.Min(_options.MaxBatch, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count));
        if (!_batches.TryGetValue(size, out var tensors))
        {
            int[] shape = [size, .. _sampleShape];
            var plan = _session.PlanForShapes([shape]);
            tensors = (Tensor.Create(ElementType.Float32, shape), Tensor.Create(ElementType.Float32, plan.Values[plan.Outputs[0]].Dims));
            _batches[size] = tensors;
        }
        return tensors;
    }

    /// <summary>Runs every batch size once, so no request pays for planning.</summary>
    public void Warmup()
    {
        for (int size = 1; ; size = Math.Min(size * 2, _options.MaxBatch))
        {
            _session.Warmup([size, .. _sampleShape]);
            if (size == _options.MaxBatch) break;
        }
    }

    /// <summary>Stops taking requests and completes once those already queued have run.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    /// <summary>Stops the batcher as <see cref="DisposeAsync"/> does, blocking until it has.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
