using Cardinal.Tensors;

namespace Cardinal;

/// <summary>
/// What services need beyond <see cref="Run(Tensor, Tensor, CancellationToken)"/>: runs over plain spans
/// and memory, asynchronous runs that stop between layers, and warm-up.
/// </summary>
public sealed partial class InferenceSession
{
    /// <summary>
    /// Runs a one-input, one-output float model on <paramref name="input"/> of shape
    /// <paramref name="inputShape"/>, writing the output (its planned length, see <see cref="OutputLength"/>)
    /// into <paramref name="output"/>. The data is copied through pooled tensors, a few microseconds for an
    /// image; after the first run at a shape nothing is allocated.
    /// </summary>
    public void Run(ReadOnlySpan<float> input, ReadOnlySpan<int> inputShape, Span<float> output, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireSingleFloatInputAndOutput();
        LastPlan last = LastPlanFor(inputShape);
        (Tensor Input, Tensor Output) staging = RentStaging(last);
        try
        {
            if (input.Length != staging.Input.Length)
                throw new InputMismatchException($"Input data holds {input.Length} values; shape {TensorShape.Format(inputShape)} needs {staging.Input.Length}.");
            if (output.Length != staging.Output.Length)
                throw new InputMismatchException($"The output buffer holds {output.Length} values; the output {TensorShape.Format(last.Output.Dims)} needs {staging.Output.Length}.");
            input.CopyTo(staging.Input.Floats);
            RunPlanned(last, staging.Input, staging.Output, cancellation);
            staging.Output.Floats.CopyTo(output);
        }
        finally { last.Staging.Add(staging); }
    }

    /// <summary>The span overload over <see cref="Memory{T}"/> (for callers that hold memory, not spans).</summary>
    public void Run(ReadOnlyMemory<float> input, ReadOnlySpan<int> inputShape, Memory<float> output, CancellationToken cancellation = default) =>
        Run(input.Span, inputShape, output.Span, cancellation);

    /// <summary>Values in the output of a one-input model run at <paramref name="inputShape"/> (plans it if needed).</summary>
    public int OutputLength(ReadOnlySpan<int> inputShape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireSingleFloatInputAndOutput();
        return TensorShape.ElementCount(LastPlanFor(inputShape).Output.Dims);
    }

    /// <summary>
    /// Runs on a thread-pool thread. <paramref name="cancellation"/> is checked before every layer: a
    /// cancelled run stops at the next layer boundary with <see cref="OperationCanceledException"/>, and the
    /// session stays usable.
    /// </summary>
    public Task RunAsync(Tensor input, Tensor output, CancellationToken cancellation = default) =>
        Task.Run(() => Run(input, output, cancellation), cancellation);

    /// <inheritdoc cref="RunAsync(Tensor, Tensor, CancellationToken)"/>
    public Task RunAsync(ReadOnlyMemory<float> input, int[] inputShape, Memory<float> output, CancellationToken cancellation = default) =>
        Task.Run(() => Run(input.Span, inputShape, output.Span, cancellation), cancellation);

    /// <inheritdoc cref="RunAsync(Tensor, Tensor, CancellationToken)"/>
    public Task<IReadOnlyDictionary<string, Tensor>> RunAsync(IReadOnlyDictionary<string, Tensor> inputs, CancellationToken cancellation = default) =>
        Task.Run(() => Run(inputs, cancellation), cancellation);

    /// <summary>
    /// Plans, compiles and runs once on zeros at each input shape given (one shape per model input; the
    /// declared shapes, symbolic dimensions as 1, when none is given), so the first real request pays for
    /// none of it: the JIT, the kernels' preparation, the run context's buffers and the staging tensors.
    /// </summary>
    public void Warmup(params int[][] inputShapes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputShapes.Length == 0)
            inputShapes = _graph.Inputs.Select(i => i.Dims?.Select(d => d.Size ?? 1).ToArray()
                ?? throw new InputMismatchException($"Input '{i.Name}' declares no shape; pass Warmup the shapes to warm.")).ToArray();
        if (inputShapes.Length != _graph.Inputs.Count)
            throw new InputMismatchException($"Warmup takes one shape per model input ({_graph.Inputs.Count}); got {inputShapes.Length}.");
        if (_graph.Inputs.Count == 1 && _graph.Outputs.Count == 1 && _graph.Inputs[0].ElementType == ElementType.Float32)
        {
            // Through the span path: its staging tensors get made here too.
            int[] shape = inputShapes[0];
            var input = new float[TensorShape.ElementCount(shape)];
            Run(input, shape, new float[OutputLength(shape)]);
            return;
        }
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < inputShapes.Length; i++)
            inputs[_graph.Inputs[i].Name] = Tensor.Create(_graph.Inputs[i].ElementType, inputShapes[i]);
        Run(inputs);
    }

    private (Tensor Input, Tensor Output) RentStaging(LastPlan last) =>
        last.Staging.TryTake(out var staging) ? staging
            : (Tensor.CreateUninitialized(ElementType.Float32, last.Dims), Tensor.CreateUninitialized(last.Output.ElementType, last.Output.Dims));

    private void RequireSingleFloatInput()
    {
        if (_graph.Inputs.Count != 1 || _graph.Outputs.Count != 1)
            throw new InputMismatchException($"This overload needs one input and one output; the model has {_graph.Inputs.Count} and {_graph.Outputs.Count}.");
        if (_graph.Inputs[0].ElementType != ElementType.Float32)
            throw new InputMismatchException($"This overload runs float inputs; input '{_graph.Inputs[0].Name}' is {_graph.Inputs[0].ElementType.Name()}.");
    }

    private void RequireSingleFloatInputAndOutput()
    {
        RequireSingleFloatInput();
        if (_graph.Outputs[0].ElementType != ElementType.Float32)
            throw new InputMismatchException($"This overload writes float outputs; output '{_graph.Outputs[0].Name}' is {_graph.Outputs[0].ElementType.Name()}.");
    }
}
