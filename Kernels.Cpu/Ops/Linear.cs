using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Ops;

/// <summary>Gemm and MatMul on top of <see cref="Sgemm"/>.</summary>
public static class Linear
{
    public static void Gemm(GemmOp op, Tensor a, Tensor b, Tensor? c, Tensor y, ParallelRunner parallel)
    {
        int m = y.Dims[0], n = y.Dims[1];
        int k = op.TransA ? a.Dims[0] : a.Dims[1];
        float[] aRows = op.TransA ? Transpose(a.Floats, a.Dims[0], a.Dims[1]) : a.Floats.ToArray();
        float[] bRows = op.TransB ? Transpose(b.Floats, b.Dims[0], b.Dims[1]) : b.Floats.ToArray();
        Span<float> dst = y.Floats;
        Sgemm.Multiply(m, n, k, aRows, k, bRows, n, dst, n, accumulate: false, parallel);
        if (op.Alpha != 1f) foreach (ref float v in dst) v *= op.Alpha;
        if (c is null || op.Beta == 0f) return;
        int[] sc = Broadcast.StridesFor(c.Dims, [m, n]);
        ReadOnlySpan<float> cv = c.Floats;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                dst[i * n + j] += op.Beta * cv[i * sc[0] + j * sc[1]];
    }

    private static float[] Transpose(ReadOnlySpan<float> src, int rows, int cols)
    {
        var dst = new float[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                dst[j * rows + i] = src[i * cols + j];
        return dst;
    }

    public static void MatMul(Graph.Node node, Tensor a, Tensor b, Tensor y, ParallelRunner parallel)
    {
        var (_, a2, b2, batch) = MatMulOp.Shapes(node, a.Shape(), b.Shape());
        int m = a2[^2], k = a2[^1], n = b2[^1];
        int[] sa = Broadcast.StridesFor(a2[..^2], batch), sb = Broadcast.StridesFor(b2[..^2], batch);
        int batches = TensorShape.ElementCount(batch);
        var index = new int[batch.Length];
        ReadOnlySpan<float> av = a.Floats, bv = b.Floats;
        Span<float> yv = y.Floats;
        for (int t = 0; t < batches; t++)
        {
            int offA = 0, offB = 0;
            for (int d = 0; d < batch.Length; d++) { offA += index[d] * sa[d]; offB += index[d] * sb[d]; }
            Sgemm.Multiply(m, n, k, av.Slice(offA * m * k, m * k), k, bv.Slice(offB * k * n, k * n), n,
                yv.Slice(t * m * n, m * n), n, accumulate: false, parallel);
            for (int d = batch.Length - 1; d >= 0; d--)
            {
                if (++index[d] < batch[d]) break;
                index[d] = 0;
            }
        }
    }
}
