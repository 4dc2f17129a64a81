using Cardinal.Tensors;

namespace Cardinal.Graph;

/// <summary>
/// An operator's typed attributes plus its shape inference. Each operator takes its newest-opset form:
/// the importer turns older attribute forms (Split's "split", Squeeze's "axes", Pad's "pads", …) into
/// constant inputs, so only one form reaches planning and kernels.
/// </summary>
internal abstract class Operator
{
    public abstract string OpType { get; }

    /// <summary>Output types for the given inputs (null for an omitted optional input).</summary>
    public abstract TensorType[] Infer(Node node, ValueInfo?[] inputs);

    /// <summary>Floating-point operations for one run at these shapes (multiply and add count as two).</summary>
    public virtual long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => 0;

    /// <summary>
    /// A value computable from input shapes alone (Shape's output), or null. The planner makes it a constant
    /// even though the input's data is not known before the run.
    /// </summary>
    public virtual Tensors.Tensor? FoldFromShapes(ValueInfo?[] inputs) => null;

    /// <summary>Whether the planner may evaluate this node ahead of time when all of its inputs are known.</summary>
    public virtual bool IsFoldable => true;

    /// <summary>
    /// True when image n of every output (dimension 0 a batch) is computed from image n of each input that is
    /// computed at run time, constants being parameters every image shares (a convolution's weights, a broadcast
    /// bias): a plan may then run the step a few images at a time (<see cref="Passes.DepthFirstPrefix"/>). The pass
    /// itself checks that every run-time input and output has the batch as dimension 0; an operator says only what
    /// its constants mean. False unless the operator says so.
    /// </summary>
    public virtual bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => false;

    /// <summary>A constant that broadcasts over dimension 0 of <paramref name="output"/> (lower rank, or 1 there): every image reads all of it.</summary>
    protected static bool SharedByImages(int[] dims, ValueInfo output) => dims.Length < output.Rank || dims[0] == 1;

    /// <summary>A short description of the attributes for `cardinal inspect`.</summary>
    public virtual string Describe() => OpType;

    protected static ValueInfo Required(Node node, ValueInfo?[] inputs, int index, string role)
    {
        if (index >= inputs.Length || inputs[index] is null)
            throw new InvalidModelException($"{node.Describe()}: required input {index} ({role}) is missing.");
        return inputs[index]!;
    }

    protected static void RequireFloat(Node node, ValueInfo value, string role)
    {
        if (value.ElementType != ElementType.Float32)
            throw new UnsupportedModelException($"{node.Describe()}: {role} is {value.ElementType.Name()}; only float32 is supported for {node.OpType}.");
    }

    protected static Tensor RequireConstant(Node node, ValueInfo value, string role)
    {
        return value.Constant ?? throw new UnsupportedModelException(
            $"{node.Describe()}: {role} ('{value.Name}') must be known before the run (a constant, an initializer or an integer input); computed at run time it is not supported.");
    }

    protected static InvalidModelException Invalid(Node node, string message) => new($"{node.Describe()}: {message}");
}
