using Cardinal.Tensors;

namespace Cardinal.Graph.Ops;

/// <summary>ONNX ReduceMean in its opset-18 form: axes as an optional input, keepdims, noop_with_empty_axes.</summary>
internal sealed class ReduceMeanOp(bool keepDims, bool noopWithEmptyAxes) : Operator
{
    public override string OpType => "ReduceMean";
    public bool KeepDims { get; } = keepDims;
    public bool NoopWithEmptyAxes { get; } = noopWithEmptyAxes;

    /// <summary>The reduced axes, sorted; empty with <see cref="NoopWithEmptyAxes"/> means "copy the input".</summary>
    public int[] Axes(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        if (inputs.Length > 1 && inputs[1] is { } a)
        {
            long[] raw = RequireConstant(node, a, "axes").ToInt64Array();
            if (raw.Length > 0)
                return raw.Select(v => TensorShape.NormalizeAxis(v, x.Rank, node.Describe())).Distinct().Order().ToArray();
        }
        return NoopWithEmptyAxes ? [] : Enumerable.Range(0, x.Rank).ToArray();
    }

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo x = Required(node, inputs, 0, "data");
        if (x.ElementType is not (ElementType.Float32 or ElementType.Float64))
            throw new UnsupportedModelException($"{node.Describe()}: ReduceMean on {x.ElementType.Name()} is not supported.");
        var axes = Axes(node, inputs).ToHashSet();
        var dims = new List<int>();
        for (int i = 0; i < x.Rank; i++)
        {
            if (!axes.Contains(i)) dims.Add(x.Dims[i]);
            else if (KeepDims) dims.Add(1);
        }
        return [new(x.ElementType, dims.ToArray())];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => inputs[0]!.ElementCount;
}
