using Cardinal.Tensors;

namespace Cardinal.Graph.Ops;

/// <summary>
/// What a convolution does in its output store after the bias, once fusion has folded neighbours into it:
/// add a residual tensor of the output's shape (input 3), then ReLU. Order as ONNX Runtime's NCHWc
/// fusion: y = relu(conv(x) + bias + residual).
/// </summary>
internal readonly record struct ConvEpilogue(bool Residual, bool Relu)
{
    public static ConvEpilogue None => default;
    public override string ToString() => (Residual ? "+Add" : "") + (Relu ? "+Relu" : "");
}

/// <summary>
/// ONNX Conv over 1, 2 or 3 spatial axes: inputs X [N,C,spatial…], W [M,C/group,kernel…], optional B [M],
/// and — after fusion only — a residual R of the output's shape as input 3.
/// </summary>
internal sealed class ConvOp(WindowAttributes window, int group, ConvEpilogue epilogue = default) : Operator
{
    public override string OpType => "Conv";
    public WindowAttributes Window { get; } = window;
    public int Group { get; } = group;
    public ConvEpilogue Epilogue { get; } = epilogue;

    public ConvOp With(ConvEpilogue epilogue) => new(Window, Group, epilogue);

    public WindowGeometry Geometry(Node node, ValueInfo x, ValueInfo w) =>
        Window.Resolve(node, x.Dims.AsSpan(2), Window.KernelShape ?? w.Dims[2..]);

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "X"), w = Required(node, inputs, 1, "W");
        RequireFloat(node, x, "X"); RequireFloat(node, w, "W");
        if (x.Rank < 3 || x.Rank > 5) throw new UnsupportedModelException($"{node.Describe()}: input rank {x.Rank}; Conv supports 1-D, 2-D and 3-D (rank 3 to 5).");
        if (w.Rank != x.Rank) throw Invalid(node, $"weight rank {w.Rank} differs from input rank {x.Rank}.");
        if (Group < 1) throw Invalid(node, $"group must be positive, got {Group}.");
        int c = x.Dims[1], m = w.Dims[0];
        if (c % Group != 0 || w.Dims[1] * Group != c)
            throw Invalid(node, $"input has {c} channels but weight {TensorShape.Format(w.Dims)} with group {Group} expects {w.Dims[1] * Group}.");
        if (m % Group != 0) throw Invalid(node, $"{m} output channels do not divide into {Group} groups.");
        if (Window.KernelShape is { } ks && !ks.AsSpan().SequenceEqual(w.Dims.AsSpan(2)))
            throw Invalid(node, $"kernel_shape {string.Join("x", ks)} disagrees with the weight {TensorShape.Format(w.Dims)}.");
        if (inputs.Length > 2 && inputs[2] is { } b)
        {
            RequireFloat(node, b, "B");
            if (b.Rank != 1 || b.Dims[0] != m) throw Invalid(node, $"bias shape {TensorShape.Format(b.Dims)} should be [{m}].");
        }
        WindowGeometry g = Geometry(node, x, w);
        int[] dims = [x.Dims[0], m, .. g.Output];
        if (Epilogue.Residual)
        {
            ValueInfo r = Required(node, inputs, 3, "residual");
            if (!r.Dims.AsSpan().SequenceEqual(dims) || r.ElementType != ElementType.Float32)
                throw Invalid(node, $"fused residual {r} does not match the output {TensorShape.Format(dims)}.");
        }
        return [new(ElementType.Float32, dims)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs)
    {
        ValueInfo w = inputs[1]!;
        long perOutput = 2L * w.Dims[1] * w.Dims.Skip(2).Aggregate(1L, (a, b) => a * b);
        return perOutput * outputs[0].ElementCount;
    }

    /// <summary>Weights and bias are parameters (constants); the residual is the output's own image.</summary>
    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => ParametersConstant(inputs);

    /// <summary>The weights and the bias (inputs 1 and 2) are constants, and a fused residual (input 3) is not.</summary>
    internal static bool ParametersConstant(ValueInfo?[] inputs) =>
        inputs.Length > 1 && inputs[1] is { IsConstant: true } && (inputs.Length < 3 || inputs[2] is null or { IsConstant: true })
        && (inputs.Length < 4 || inputs[3] is null or { IsConstant: false });

    public override string Describe() => $"Conv{Epilogue} group={Group} {Window.Describe()}";
}
