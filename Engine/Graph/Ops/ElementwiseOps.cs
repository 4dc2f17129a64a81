using Cardinal.Tensors;

namespace Cardinal.Graph.Ops;

internal enum BinaryKind { Add, Sub, Mul, Div }

/// <summary>
/// Add/Sub/Mul/Div with NumPy broadcasting. <see cref="LegacyAxis"/> carries opset ≤ 6 "broadcast=1, axis=k"
/// semantics: B's dimensions line up with A's starting at axis k (B is padded with trailing ones).
/// </summary>
internal sealed class BinaryOp(BinaryKind kind, int? legacyAxis = null) : Operator
{
    public override string OpType => Kind.ToString();
    public BinaryKind Kind { get; } = kind;
    public int? LegacyAxis { get; } = legacyAxis;

    /// <summary>B's shape as broadcasting sees it (differs from its stored shape only under <see cref="LegacyAxis"/>).</summary>
    public int[] EffectiveShapeOfB(int[] a, int[] b)
    {
        if (LegacyAxis is not int axis) return b;
        int start = axis < 0 ? axis + a.Length : axis;
        int trailing = a.Length - start - b.Length;
        return trailing > 0 ? [.. b, .. Enumerable.Repeat(1, trailing)] : b;
    }

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo a = Required(node, inputs, 0, "A"), b = Required(node, inputs, 1, "B");
        if (a.ElementType != b.ElementType)
            throw Invalid(node, $"inputs have different types ({a.ElementType.Name()}, {b.ElementType.Name()}).");
        if (a.ElementType == ElementType.Bool) throw new UnsupportedModelException($"{node.Describe()}: arithmetic on bool tensors is not defined.");
        int[] shape = Broadcast.TryShape(a.Dims, EffectiveShapeOfB(a.Dims, b.Dims))
            ?? throw Invalid(node, $"shapes {TensorShape.Format(a.Dims)} and {TensorShape.Format(b.Dims)} do not broadcast.");
        return [new(a.ElementType, shape)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => outputs[0].ElementCount;

    /// <summary>A constant operand must broadcast over the images (a per-image constant would pair image n with its row n).</summary>
    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) =>
        inputs.Length == 2 && inputs[0] is { } a && inputs[1] is { } b
        && (!a.IsConstant || SharedByImages(a.Dims, outputs[0]))
        && (!b.IsConstant || SharedByImages(EffectiveShapeOfB(a.Dims, b.Dims), outputs[0]));
}

/// <summary>ONNX Sum: elementwise sum of one or more inputs with broadcasting.</summary>
internal sealed class SumOp : Operator
{
    public override string OpType => "Sum";

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        if (inputs.Length == 0 || inputs.Any(i => i is null)) throw Invalid(node, "needs at least one input, none omitted.");
        ElementType type = inputs[0]!.ElementType;
        if (inputs.Any(i => i!.ElementType != type)) throw Invalid(node, "inputs have different element types.");
        if (type == ElementType.Bool) throw new UnsupportedModelException($"{node.Describe()}: Sum of bool tensors is not defined.");
        int[] shape = Broadcast.TryShape(inputs.Select(i => i!.Dims).ToArray())
            ?? throw Invalid(node, "input shapes do not broadcast.");
        return [new(type, shape)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => outputs[0].ElementCount * Math.Max(1, inputs.Length - 1);

    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) =>
        inputs.All(i => i is not null && (!i.IsConstant || SharedByImages(i.Dims, outputs[0])));
}

internal enum UnaryKind { Relu, Sigmoid }

/// <summary>Relu and Sigmoid: same shape out as in.</summary>
internal sealed class UnaryOp(UnaryKind kind) : Operator
{
    public override string OpType => Kind.ToString();
    public UnaryKind Kind { get; } = kind;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "X");
        if (Kind == UnaryKind.Sigmoid && x.ElementType is not (ElementType.Float32 or ElementType.Float64))
            throw new UnsupportedModelException($"{node.Describe()}: Sigmoid on {x.ElementType.Name()} is not supported.");
        if (x.ElementType == ElementType.Bool) throw new UnsupportedModelException($"{node.Describe()}: Relu on bool is not defined.");
        return [new(x.ElementType, x.Dims)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => outputs[0].ElementCount;

    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => true;
}

/// <summary>ONNX Clip in its opset-11+ form: optional scalar min and max inputs.</summary>
internal sealed class ClipOp : Operator
{
    public override string OpType => "Clip";

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "input");
        if (x.ElementType == ElementType.Bool) throw new UnsupportedModelException($"{node.Describe()}: Clip on bool is not defined.");
        for (int i = 1; i < Math.Min(3, inputs.Length); i++)
        {
            if (inputs[i] is not { } bound) continue;
            if (bound.ElementType != x.ElementType) throw Invalid(node, $"bound {i} is {bound.ElementType.Name()}, input is {x.ElementType.Name()}.");
            if (bound.ElementCount != 1) throw Invalid(node, $"bound {i} must be a scalar, got {TensorShape.Format(bound.Dims)}.");
        }
        return [new(x.ElementType, x.Dims)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => outputs[0].ElementCount;

    /// <summary>The bounds are scalars; constants, they are parameters.</summary>
    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => inputs.Skip(1).All(b => b is null or { IsConstant: true });
}

/// <summary>BatchNormalization in inference form: Y = scale·(X − mean)/√(var + ε) + B, per channel (axis 1).</summary>
internal sealed class BatchNormOp(float epsilon) : Operator
{
    public override string OpType => "BatchNormalization";
    public float Epsilon { get; } = epsilon;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "X");
        RequireFloat(node, x, "X");
        if (x.Rank < 2) throw Invalid(node, $"input rank {x.Rank} has no channel axis.");
        string[] roles = ["scale", "B", "mean", "var"];
        for (int i = 1; i <= 4; i++)
        {
            ValueInfo p = Required(node, inputs, i, roles[i - 1]);
            RequireFloat(node, p, roles[i - 1]);
            if (p.ElementCount != x.Dims[1])
                throw Invalid(node, $"{roles[i - 1]} has shape {TensorShape.Format(p.Dims)}, expected [{x.Dims[1]}].");
        }
        return [new(ElementType.Float32, x.Dims)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => 2 * outputs[0].ElementCount;

    /// <summary>Per-channel parameters, when they are constants.</summary>
    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => inputs.Skip(1).All(p => p is { IsConstant: true });

    public override string Describe() => $"BatchNormalization epsilon={Epsilon}";
}

/// <summary>
/// ONNX Softmax. Opset ≥ 13 normalises along one axis; opsets 1–12 (<see cref="CoerceTo2D"/>) flatten the
/// input to 2-D at the axis and normalise over everything from the axis on.
/// </summary>
internal sealed class SoftmaxOp(int axis, bool coerceTo2D) : Operator
{
    public override string OpType => "Softmax";
    public int Axis { get; } = axis;
    public bool CoerceTo2D { get; } = coerceTo2D;

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "input");
        RequireFloat(node, x, "input");
        TensorShape.NormalizeAxis(Axis, Math.Max(1, x.Rank), node.Describe());
        return [new(ElementType.Float32, x.Dims)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => 3 * outputs[0].ElementCount;

    /// <summary>
    /// The input seen as [outer][length][stride]: softmax runs over <c>length</c> elements spaced
    /// <c>stride</c> apart, once per (outer, stride position). Opsets ≤ 12 flatten everything from the axis on.
    /// </summary>
    public (int Outer, int Length, int Stride) Layout(Node node, int[] dims)
    {
        int axis = TensorShape.NormalizeAxis(Axis, Math.Max(1, dims.Length), node.Describe());
        int outer = TensorShape.ElementCount(dims.AsSpan(0, Math.Min(axis, dims.Length)));
        if (CoerceTo2D) return (outer, TensorShape.ElementCount(dims.AsSpan(Math.Min(axis, dims.Length))), 1);
        return (outer, dims.Length == 0 ? 1 : dims[axis], TensorShape.ElementCount(dims.AsSpan(Math.Min(axis + 1, dims.Length))));
    }
}
