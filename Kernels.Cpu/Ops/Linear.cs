using System.Runtime.CompilerServices;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Ops;

/// <summary>Gemm and MatMul on top of <see cref="Sgemm"/>, each prepared once per plan step.</summary>
internal static class Linear
{
    /// <summary>
    /// One Gemm node. A transposed operand is read row-major by SGEMM: a constant one (a classifier's [N×K]
    /// weights under transB) is transposed here, once; a computed one is transposed on each run into the
    /// workspace, so a steady-state run allocates nothing. At small M with transB and A as is, rows of A meet
    /// rows of B as dot products and nothing is transposed at all.
    /// </summary>
    public sealed class GemmKernel : IKernel
    {
        private readonly GemmOp _op;
        private readonly int _m, _n, _k;
        private readonly bool _dotRows;
        private readonly (int Row, int Column) _cStrides;
        private readonly float[]? _aRows, _bRows;
        private readonly ParallelRunner _parallel;
        private readonly CpuPlatform _platform;
        // Workspace: the GEMM's per-thread packing buffers, then a computed transposed A, then a computed transposed B.
        private readonly long _gemmBytes, _aBytes, _bBytes;

        /// <param name="constantA">A's value when it is an initializer, else null; likewise <paramref name="constantB"/>.</param>
        /// <param name="op">The Gemm node's attributes (alpha, beta, transposes).</param>
        /// <param name="aDims">A's shape.</param>
        /// <param name="bDims">B's shape.</param>
        /// <param name="cDims">C's shape, or null without C.</param>
        /// <param name="yDims">The output's shape.</param>
        /// <param name="constantB">B's value when it is an initializer, else null.</param>
        /// <param name="parallel">The worker threads.</param>
        /// <param name="platform">The tier's kernel table.</param>
        public GemmKernel(GemmOp op, int[] aDims, int[] bDims, int[]? cDims, int[] yDims, Tensor? constantA, Tensor? constantB,
            ParallelRunner parallel, CpuPlatform platform)
        {
            _op = op; _parallel = parallel; _platform = platform;
            _m = yDims[0]; _n = yDims[1];
            _k = op.TransA ? aDims[0] : aDims[1];
            _cStrides = CStrides(cDims, _m, _n);
            // A classifier head at small batch: dot products over B's rows, which are contiguous as they are.
            _dotRows = !op.TransA && op.TransB && _m <= 8;
            if (_dotRows) return;
            if (op.TransA && constantA is not null) _aRows = Transposed(constantA.Floats, aDims[0], aDims[1]);
            if (op.TransB && constantB is not null) _bRows = Transposed(constantB.Floats, bDims[0], bDims[1]);
            _gemmBytes = Workspace.Align(Sgemm.ScratchBytes(_m, _n, platform, parallel, packedA: false));
            _aBytes = op.TransA && _aRows is null ? Workspace.Align((long)_m * _k * sizeof(float)) : 0;
            _bBytes = op.TransB && _bRows is null ? Workspace.Align((long)_k * _n * sizeof(float)) : 0;
        }

        public long WorkspaceBytes => _gemmBytes + _aBytes + _bBytes;

        public string Description => _dotRows ? $"row dot products ({_platform.VectorWidth}-wide)" : $"packed GEMM {_platform.MR}×{_platform.NR}";

        public unsafe void Run(Tensor?[] inputs, Tensor[] outputs, Workspace workspace)
        {
            Tensor a = inputs[0]!, b = inputs[1]!, y = outputs[0];
            Tensor? c = inputs.Length > 2 ? inputs[2] : null;
            if (_dotRows)
            {
                DotRows(a.Floats, b.Floats, y.Floats, _m, _n, _k, _parallel, _platform);
                Finish(_op, c, _cStrides, y, _m, _n);
                return;
            }
            ReadOnlySpan<float> aRows = !_op.TransA ? a.Floats
                : _aRows ?? Transpose(a.Floats, a.Dims[0], a.Dims[1], new Span<float>(workspace.Floats(_gemmBytes, (long)_m * _k), _m * _k));
            ReadOnlySpan<float> bRows = !_op.TransB ? b.Floats
                : _bRows ?? Transpose(b.Floats, b.Dims[0], b.Dims[1], new Span<float>(workspace.Floats(_gemmBytes + _aBytes, (long)_k * _n), _k * _n));
            Sgemm.Multiply(_m, _n, _k, aRows, _k, bRows, _n, y.Floats, _n, accumulate: false, _parallel, _platform,
                scratch: new Workspace(workspace.Pointer, _gemmBytes));
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
    private static unsafe void DotRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int m, int n, int k, ParallelRunner parallel, CpuPlatform platform)
    {
        fixed (float* pa = a, pb = b, py = y)
            parallel.For((n + DotBody.ColumnsPerTask - 1) / DotBody.ColumnsPerTask, new DotBody(pa, pb, py, m, n, k, platform));
    }

    /// <summary>Loop body: 64 output columns, every row (four rows of A at a time against each row of B).</summary>
    private readonly unsafe struct DotBody(float* a, float* b, float* y, int m, int n, int k, CpuPlatform platform) : IParallelBody
    {
        public const int ColumnsPerTask = 64;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int t)
        {
            int end = Math.Min(n, (t + 1) * ColumnsPerTask);
            float* sums = stackalloc float[4];
            for (int j = t * ColumnsPerTask; j < end; j++)
            {
                float* bj = b + (long)j * k;
                int i = 0;
                for (; i + 4 <= m; i += 4)
                {
                    float* ai = a + (long)i * k;
                    platform.Dot4(bj, ai, ai + k, ai + 2L * k, ai + 3L * k, k, sums);
                    for (int r = 0; r < 4; r++) y[(long)(i + r) * n + j] = sums[r];
                }
                for (; i < m; i++) y[(long)i * n + j] = platform.Dot(a + (long)i * k, bj, k);
            }
        }
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

    /// <summary>One MatMul node: a GEMM per broadcast batch index, sharing one workspace.</summary>
    public sealed class MatMulKernel(Graph.Node node, int[] aDims, int[] bDims, ParallelRunner parallel, CpuPlatform platform) : IKernel
    {
        private readonly (int[] A2, int[] B2, int[] Batch) _shapes = Shapes(node, aDims, bDims);

        private static (int[], int[], int[]) Shapes(Graph.Node node, int[] aDims, int[] bDims)
        {
            var (_, a2, b2, batch) = MatMulOp.Shapes(node, aDims, bDims);
            return (a2, b2, batch);
        }

        public long WorkspaceBytes => Sgemm.ScratchBytes(_shapes.A2[^2], _shapes.B2[^1], platform, parallel, packedA: false);

        public string Description => $"packed GEMM {platform.MR}×{platform.NR}";

        public void Run(Tensor?[] inputs, Tensor[] outputs, Workspace workspace)
        {
            var (a2, b2, batch) = _shapes;
            int m = a2[^2], k = a2[^1], n = b2[^1];
            int[] sa = Broadcast.StridesFor(a2[..^2], batch), sb = Broadcast.StridesFor(b2[..^2], batch);
            int batches = TensorShape.ElementCount(batch);
            Span<int> index = stackalloc int[batch.Length];
            index.Clear();
            ReadOnlySpan<float> av = inputs[0]!.Floats, bv = inputs[1]!.Floats;
            Span<float> yv = outputs[0].Floats;
            for (int t = 0; t < batches; t++)
            {
                int offA = 0, offB = 0;
                for (int d = 0; d < batch.Length; d++) { offA += index[d] * sa[d]; offB += index[d] * sb[d]; }
                Sgemm.Multiply(m, n, k, av.Slice(offA * m * k, m * k), k, bv.Slice(offB * k * n, k * n), n,
                    yv.Slice(t * m * n, m * n), n, accumulate: false, parallel, platform, scratch: workspace);
                for (int d = batch.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < batch[d]) break;
                    index[d] = 0;
                }
            }
        }
    }
}
