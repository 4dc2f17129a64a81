using System.Numerics.Tensors;

namespace Cardinal;

/// <summary>
/// Interop with System.Numerics.Tensors: run on a <see cref="ReadOnlyTensorSpan{T}"/> (its lengths are the
/// input shape) into a <see cref="TensorSpan{T}"/> of the output's shape. Same cost as the span overload
/// (one copy in and one out, strided spans included), and allocation-free after the first run.
/// </summary>
public sealed partial class InferenceSession
{
    /// <summary>Most dimensions a tensor span may have here (the shape is copied to the stack).</summary>
    private const int MaxTensorSpanRank = 8;

    /// <summary>Runs a one-input, one-output model from a System.Numerics.Tensors span into another (dense, float32).</summary>
    public void Run(in ReadOnlyTensorSpan<float> input, in TensorSpan<float> output, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireSingleFloatInputAndOutput();
        Span<int> shape = stackalloc int[MaxTensorSpanRank];
        shape = ShapeOf(input.Lengths, shape, "input");
        LastPlan last = LastPlanFor(shape);
        Span<int> outShape = stackalloc int[MaxTensorSpanRank];
        outShape = ShapeOf(output.Lengths, outShape, "output");
        if (!outShape.SequenceEqual(last.Output.Dims))
            throw new InputMismatchException($"The output span must have shape {Tensors.TensorShape.Format(last.Output.Dims)}, got {Tensors.TensorShape.Format(outShape)}.");

        (Tensors.Tensor Input, Tensors.Tensor Output) staging = RentStaging(last);
        try
        {
            input.FlattenTo(staging.Input.Floats);
            RunPlanned(last, staging.Input, staging.Output, cancellation);
            new ReadOnlyTensorSpan<float>(staging.Output.Floats, output.Lengths, []).CopyTo(output);
        }
        finally { last.Staging.Add(staging); }
    }

    /// <summary>Runs on a <see cref="Tensor{T}"/> and returns a new one holding the output.</summary>
    public Tensor<float> Run(Tensor<float> input, CancellationToken cancellation = default)
    {
        Span<int> shape = stackalloc int[MaxTensorSpanRank];
        shape = ShapeOf(input.Lengths, shape, "input");
        RequireSingleFloatInputAndOutput();
        int[] outDims = LastPlanFor(shape).Output.Dims;
        Span<nint> lengths = stackalloc nint[outDims.Length];
        for (int i = 0; i < outDims.Length; i++) lengths[i] = outDims[i];
        Tensor<float> output = Tensor.CreateFromShapeUninitialized<float>(lengths);
        Run(input.AsReadOnlyTensorSpan(), output.AsTensorSpan(), cancellation);
        return output;
    }

    private static Span<int> ShapeOf(ReadOnlySpan<nint> lengths, Span<int> into, string what)
    {
        if (lengths.Length > into.Length) throw new InputMismatchException($"The {what} has rank {lengths.Length}; at most {into.Length} is supported.");
        for (int i = 0; i < lengths.Length; i++)
            into[i] = lengths[i] is >= 0 and <= int.MaxValue ? (int)lengths[i] : throw new InputMismatchException($"The {what}'s dimension {i} ({lengths[i]}) is out of range.");
        return into[..lengths.Length];
    }
}
