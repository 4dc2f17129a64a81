using Cardinal.Tensors;

namespace Cardinal.Graph.Ops;

/// <summary>ONNX Gemm: Y = alpha·op(A)·op(B) + beta·C, C broadcast to [M,N].</summary>
internal sealed class GemmOp(float alpha, float beta, bool transA, bool transB) : Operator
{
    public override string OpType => "Gemm";
    public float Alpha { get; } = alpha;
    public float Beta { get; } = beta;
    public bool TransA { get; } = transA;
    public bool TransB { get; } = transB;

    public (int M, int N, int K) Sizes(Node node, ValueInfo a, ValueInfo b)
    {
        if (a.Rank != 2 || b.Rank != 2) throw Invalid(node, $"A and B must be 2-D, got {TensorShape.Format(a.Dims)} and {TensorShape.Format(b.Dims)}.");
        int m = TransA ? a.Dims[1] : a.Dims[0], k = TransA ? a.Dims[0] : a.Dims[1];
        int kb = TransB ? b.Dims[1] : b.Dims[0], n = TransB ? b.Dims[0] : b.Dims[1];
        if (k != kb) throw Invalid(node, $"inner dimensions differ: A gives K={k}, B gives K={kb}.");
        return (m, n, k);
    }

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo a = Required(node, inputs, 0, "A"), b = Required(node, inputs, 1, "B");
        RequireFloat(node, a, "A"); RequireFloat(node, b, "B");
        (int m, int n, _) = Sizes(node, a, b);
        if (inputs.Length > 2 && inputs[2] is { } c)
        {
            RequireFloat(node, c, "C");
            int[]? shape = Broadcast.TryShape([m, n], c.Dims);
            if (shape is null || shape.Length != 2 || shape[0] != m || shape[1] != n)
                throw Invalid(node, $"C {TensorShape.Format(c.Dims)} does not broadcast to [{m},{n}].");
        }
        return [new(ElementType.Float32, [m, n])];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs)
    {
        ValueInfo a = inputs[0]!;
        long k = TransA ? a.Dims[0] : a.Dims[1];
        return 2 * k * outputs[0].ElementCount;
    }

    public override string Describe() => $"Gemm alpha={Alpha} beta={Beta} transA={(TransA ? 1 : 0)} transB={(TransB ? 1 : 0)}";
}

/// <summary>ONNX MatMul with NumPy semantics: batch dimensions broadcast; 1-D operands gain and then lose an axis.</summary>
internal sealed class MatMulOp : Operator
{
    public override string OpType => "MatMul";

    /// <summary>Output shape, plus the operands seen as at least 2-D and the broadcast batch shape.</summary>
    public static (int[] Output, int[] A, int[] B, int[] Batch) Shapes(Node node, int[] a, int[] b)
    {
        if (a.Length == 0 || b.Length == 0) throw new InvalidModelException($"{node.Describe()}: MatMul operands must have rank ≥ 1.");
        int[] a2 = a.Length == 1 ? [1, a[0]] : a;
        int[] b2 = b.Length == 1 ? [b[0], 1] : b;
        if (a2[^1] != b2[^2])
            throw new InvalidModelException($"{node.Describe()}: inner dimensions differ: {TensorShape.Format(a)} × {TensorShape.Format(b)}.");
        int[] batch = Broadcast.TryShape(a2[..^2], b2[..^2])
            ?? throw new InvalidModelException($"{node.Describe()}: batch dimensions of {TensorShape.Format(a)} and {TensorShape.Format(b)} do not broadcast.");
        var output = new List<int>(batch);
        if (a.Length > 1) output.Add(a2[^2]);
        if (b.Length > 1) output.Add(b2[^1]);
        return (output.ToArray(), a2, b2, batch);
    }

    public override TensorType[] Infer(Node node, ValueInfo?[] inputs)
    {
        ValueInfo a = Required(node, inputs, 0, "A"), b = Required(node, inputs, 1, "B");
        RequireFloat(node, a, "A"); RequireFloat(node, b, "B");
        return [new(ElementType.Float32, Shapes(node, a.Dims, b.Dims).Output)];
    }

    public override long Flops(ValueInfo?[] inputs, ValueInfo[] outputs) => 2L * inputs[0]!.Dims[^1] * outputs[0].ElementCount;
}
