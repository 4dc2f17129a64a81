using Cardinal.Tensors;

namespace Cardinal.Graph.Ops;

internal enum PoolKind { Max, Average }

/// <summary>ONNX MaxPool / AveragePool over 1–3 spatial axes. MaxPool may also produce Indices (int64).</summary>
internal sealed class PoolOp(PoolKind kind, WindowAttributes window, bool countIncludePad, int storageOrder) : Operator
{
    public override string OpType => Kind == PoolKind.Max ? "MaxPool" : "AveragePool";
    public PoolKind Kind { get; } = kind;
    public WindowAttributes Window { get; } = window;
    public bool CountIncludePad { get; } = countIncludePad;
    /// <summary>0: indices in row-major order; 1: column-major (MaxPool's storage_order).</summary>
    public int StorageOrder { get; } = storageOrder;

    public WindowGeometry Geometry(Node node, ValueInfo x) =>
        Window.Resolve(node, x.Dims.AsSpan(2), Window.KernelShape ?? throw Invalid(node, "kernel_shape is required."));

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "X");
        // MaxPool (opset 12+) also takes int8/uint8/float64; averaging stays float32.
        if (Kind == PoolKind.Average || x.ElementType is not (ElementType.Float64 or ElementType.Int8 or ElementType.UInt8))
            RequireFloat(node, x, "X");
        if (x.Rank < 3 || x.Rank > 5) throw new UnsupportedModelException($"{node.Describe()}: input rank {x.Rank}; pooling supports 1-D, 2-D and 3-D.");
        if (Window.KernelShape is null || Window.KernelShape.Length != x.Rank - 2)
            throw Invalid(node, $"kernel_shape must have {x.Rank - 2} values.");
        WindowGeometry g = Geometry(node, x);
        int[] dims = [x.Dims[0], x.Dims[1], .. g.Output];
        return node.Outputs.Length > 1 && Kind == PoolKind.Max
            ? [new(x.ElementType, dims), new(ElementType.Int64, dims)]
            : [new(x.ElementType, dims)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) =>
        outputs[0].ElementCount * Window.KernelShape!.Aggregate(1L, (a, b) => a * b);

    /// <summary>Not with MaxPool's Indices: they count from the start of the whole tensor, batch included.</summary>
    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => outputs.Length == 1;

    public override string Describe() => $"{OpType} {Window.Describe()}" + (CountIncludePad ? " count_include_pad" : "");
}

/// <summary>ONNX GlobalAveragePool: the mean over every spatial axis, keeping them as size 1.</summary>
internal sealed class GlobalAveragePoolOp : Operator
{
    public override string OpType => "GlobalAveragePool";

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "X");
        RequireFloat(node, x, "X");
        if (x.Rank < 2) throw Invalid(node, $"input rank {x.Rank} has no channel axis.");
        int[] dims = [x.Dims[0], x.Dims[1], .. Enumerable.Repeat(1, x.Rank - 2)];
        return [new(ElementType.Float32, dims)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => inputs[0]!.ElementCount;

    public override bool ImagesIndependent(ValueInfo?[] inputs, ValueInfo[] outputs) => true;
}
