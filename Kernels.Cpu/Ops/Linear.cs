using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Ops;

/// <summary>Gemm and MatMul on top of <see cref="Sgemm"/>.</summary>
public static class Linear
{
    /// <param name="cStrides">C's broadcast strides over [M, N] (see <see cref="CStrides"/>), worked out once per plan.</param>
    public static void Gemm(GemmOp op, Tensor a, Tensor b, Tensor? c, (int Row, int Column) cStrides, Tensor y, ParallelRunner parallel, CpuPlatform table)
    {
        int m = y.Dims[0], n = y.Dims[1];
        int k = op.TransA ? a.Dims[0] : a.Dims[1];
        if (!op.TransA && op.TransB && m <= 8)
        {
            // A classifier head at small batch: rows of A against rows of B (both contiguous) as dot
            // products — no transposed copy of a 2048×1000 weight matrix on every run.
            DotRows(a.Floats, b.Floats, y.Floats, m, n, k, parallel, table);
            Finish(op, c, cStrides, y, m, n);
            return;
        }
        // Only a transposed operand needs a row-major copy; the others are read in place.
        ReadOnlySpan<float> aRows = op.TransA ? Transpose(a.Floats, a.Dims[0], a.Dims[1]) : a.Floats;
        ReadOnlySpan<float> bRows = op.TransB ? Transpose(b.Floats, b.Dims[0], b.Dims[1]) : b.Floats;
        Sgemm.Multiply(m, n, k, aRows, k, bRows, n, y.Floats, n, accumulate: false, parallel, table);
        Finish(op, c, cStrides, y, m, n);
    }

    /// <summary>C's strides when broadcast to [m, n] (0 on broadcast axes).</summary>
    public static (int Row, int Column) CStrides(int[]? cDims, int m, int n)
    {
        if (cDims is null) return (0, 0);
        int[] s = Broadcast.StridesFor(cDims, [m, n]);
        return (s[0], s[1]);
    }

    /// <summary>Y = alpha·Y + beta·C (C broadcast to [m, n]).</summary>
    private static void Finish(GemmOp op, Tensor? c, (int Row, int Column) cStrides, Tensor y, int m, int n)
    {
        Span<float> dst = y.Floats;
        if (op.Alpha != 1f) foreach (ref float v in dst) v *= op.Alpha;
        if (c is null || op.Beta == 0f) return;
        ReadOnlySpan<float> cv = c.Floats;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                dst[i * n + j] += op.Beta * cv[i * cStrides.Row + j * cStrides.Column];
    }

    /// <summary>Y[i, j] = A[i, :] · B[j, :] for row-major A [m×k] and B [n×k]; parallel over output columns.</summary>
    private static unsafe void DotRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int m, int n, int k, ParallelRunner parallel, CpuPlatform platform)
    {
        fixed (float* pa = a, pb = b, py = y)
            parallel.For((n + DotBody.ColumnsPerTask - 1) / DotBody.ColumnsPerTask, new DotBody(pa, pb, py, m, n, k, platform));
    }

    /// <summary>Loop body: 64 output columns, every row.</summary>
    private readonly unsafe struct DotBody(float* a, float* b, float* y, int m, int n, int k, CpuPlatform platform) : IParallelBody
    {
        public const int ColumnsPerTask = 64;

        public void Invoke(int t)
        {
            int end = Math.Min(n, (t + 1) * ColumnsPerTask);
            for (int j = t * ColumnsPerTask; j < end; j++)
                for (int i = 0; i < m; i++)
                    y[(long)i * n + j] = platform.Dot(a + (long)i * k, b + (long)j * k, k);
        }
    }

    private static float[] Transpose(ReadOnlySpan<float> src, int rows, int cols)
    {
        var dst = new float[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                dst[j * rows + i] = src[i * cols + j];
        return dst;
    }

    public static void MatMul(Graph.Node node, Tensor a, Tensor b, Tensor y, ParallelRunner parallel, CpuPlatform table)
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
                yv.Slice(t * m * n, m * n), n, accumulate: false, parallel, table);
            for (int d = batch.Length - 1; d >= 0; d--)
            {
                if (++index[d] < batch[d]) break;
                index[d] = 0;
            }
        }
    }
}
