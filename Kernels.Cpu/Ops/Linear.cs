using System.Buffers;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Ops;

/// <summary>Gemm and MatMul on top of <see cref="Sgemm"/>.</summary>
public static class Linear
{
    /// <summary>
    /// One Gemm node, prepared once per plan step. A transposed operand is read row-major by SGEMM: a constant
    /// one (a classifier's [N×K] weights under transB) is transposed here, once; a computed one is transposed
    /// on each run into a pooled buffer, so a steady-state run allocates nothing. At small M with transB and A
    /// as is, rows of A meet rows of B as dot products and nothing is transposed at all.
    /// </summary>
    public sealed class GemmKernel
    {
        private readonly GemmOp _op;
        private readonly int _m, _n, _k;
        private readonly bool _dotRows;
        private readonly (int Row, int Column) _cStrides;
        private readonly float[]? _aRows, _bRows;
        private readonly ParallelRunner _parallel;
        private readonly CpuKernelTable? _table;

        /// <param name="constantA">A's value when it is an initializer, else null; likewise <paramref name="constantB"/>.</param>
        public GemmKernel(GemmOp op, int[] aDims, int[] bDims, int[]? cDims, int[] yDims, Tensor? constantA, Tensor? constantB,
            ParallelRunner parallel, CpuKernelTable? table)
        {
            _op = op; _parallel = parallel; _table = table;
            _m = yDims[0]; _n = yDims[1];
            _k = op.TransA ? aDims[0] : aDims[1];
            _cStrides = CStrides(cDims, _m, _n);
            // A classifier head at small batch: dot products over B's rows, which are contiguous as they are.
            _dotRows = !op.TransA && op.TransB && _m <= 8;
            if (!_dotRows && op.TransA && constantA is not null) _aRows = Transposed(constantA.Floats, aDims[0], aDims[1]);
            if (!_dotRows && op.TransB && constantB is not null) _bRows = Transposed(constantB.Floats, bDims[0], bDims[1]);
        }

        public void Run(Tensor a, Tensor b, Tensor? c, Tensor y)
        {
            if (_dotRows)
            {
                DotRows(a.Floats, b.Floats, y.Floats, _m, _n, _k, _parallel);
                Finish(_op, c, _cStrides, y, _m, _n);
                return;
            }
            // A computed transposed operand goes through a pooled buffer (returned below), never a new array.
            float[]? aRented = _op.TransA && _aRows is null ? ArrayPool<float>.Shared.Rent(a.Length) : null;
            float[]? bRented = _op.TransB && _bRows is null ? ArrayPool<float>.Shared.Rent(b.Length) : null;
            try
            {
                ReadOnlySpan<float> aRows = !_op.TransA ? a.Floats : _aRows ?? Transpose(a.Floats, a.Dims[0], a.Dims[1], aRented!);
                ReadOnlySpan<float> bRows = !_op.TransB ? b.Floats : _bRows ?? Transpose(b.Floats, b.Dims[0], b.Dims[1], bRented!);
                Sgemm.Multiply(_m, _n, _k, aRows, _k, bRows, _n, y.Floats, _n, accumulate: false, _parallel, _table);
            }
            finally
            {
                if (aRented is not null) ArrayPool<float>.Shared.Return(aRented);
                if (bRented is not null) ArrayPool<float>.Shared.Return(bRented);
            }
            Finish(_op, c, _cStrides, y, _m, _n);
        }
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
    private static unsafe void DotRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int m, int n, int k, ParallelRunner parallel)
    {
        fixed (float* pa = a, pb = b, py = y)
            parallel.For((n + DotBody.ColumnsPerTask - 1) / DotBody.ColumnsPerTask, new DotBody(pa, pb, py, m, n, k));
    }

    /// <summary>Loop body: 64 output columns, every row.</summary>
    private readonly unsafe struct DotBody(float* a, float* b, float* y, int m, int n, int k) : IParallelBody
    {
        public const int ColumnsPerTask = 64;

        public void Invoke(int t)
        {
            int end = Math.Min(n, (t + 1) * ColumnsPerTask);
            for (int j = t * ColumnsPerTask; j < end; j++)
                for (int i = 0; i < m; i++)
                    y[(long)i * n + j] = Dot(new ReadOnlySpan<float>(a + (long)i * k, k), new ReadOnlySpan<float>(b + (long)j * k, k));
        }
    }

    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var acc = System.Numerics.Vector<float>.Zero;
        int w = System.Numerics.Vector<float>.Count, i = 0;
        for (; i + w <= x.Length; i += w) acc = System.Numerics.Vector.MultiplyAddEstimate(new System.Numerics.Vector<float>(x[i..]), new System.Numerics.Vector<float>(y[i..]), acc);
        float sum = System.Numerics.Vector.Sum(acc);
        for (; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }

    private static float[] Transposed(ReadOnlySpan<float> src, int rows, int cols)
    {
        var dst = new float[rows * cols];
        Transpose(src, rows, cols, dst);
        return dst;
    }

    /// <summary>Writes src [rows×cols]ᵀ into the first rows·cols elements of dst and returns them.</summary>
    private static ReadOnlySpan<float> Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        dst = dst[..(rows * cols)];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                dst[j * rows + i] = src[i * cols + j];
        return dst;
    }

    public static void MatMul(Graph.Node node, Tensor a, Tensor b, Tensor y, ParallelRunner parallel, CpuKernelTable? table = null)
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
