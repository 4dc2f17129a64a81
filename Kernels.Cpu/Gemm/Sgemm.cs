using System.Runtime.CompilerServices;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;

namespace Cardinal.Kernels.Cpu.Gemm;

/// <summary>
/// Single-precision GEMM, C[M×N] (+)= A[M×K]·B[K×N], row-major with leading dimensions, in the packed
/// style of BLIS/MLAS: the output is cut into MC×NC blocks (one parallel task each); for every KC slice
/// the task packs its A block into [MR]-wide panels and its B block into [NR]-wide panels, then walks
/// MR×NR tiles with the platform's microkernel. Partial tiles accumulate in a strip of whole tiles and
/// reach C once. The packing buffers come from the caller's workspace, one slice per thread
/// (<see cref="ScratchBytesPerThread"/>). Twin: <see cref="Reference.SgemmReference"/>.
/// </summary>
internal static unsafe class Sgemm
{
    /// <summary>
    /// Blocking: a KC×NC B panel (256×256 floats, 256 KiB) stays in L2 while MC/MR A panels (240×256 floats,
    /// 240 KiB) stream through; MC is a multiple of every tier's MR (8, 6, 4), and large enough that a
    /// pointwise convolution's B is packed once or twice, not once per 96 output channels.
    /// </summary>
    internal const int KC = 256;
    private const int MC = 240, NC = 256;

    /// <summary>
    /// Workspace bytes each thread's blocks need for an M×N problem on <paramref name="threads"/> threads:
    /// the A block (unless A is packed ahead of time), the B block and the partial-tile strip.
    /// </summary>
    public static long ScratchBytesPerThread(int m, int n, CpuPlatform platform, int threads, bool packedA)
    {
        if (m == 0 || n == 0) return 0;
        var (mc, nc) = BlockSizes(m, n, platform, threads);
        int mr = platform.MR, nr = platform.NR;
        long mPadded = (mc + mr - 1) / mr * mr, nPadded = (nc + nr - 1) / nr * nr;
        long a = packedA ? 0 : Workspace.Align(mPadded * KC * sizeof(float));
        long b = Workspace.Align(nPadded * KC * sizeof(float));
        long edges = Workspace.Align((mPadded * nr + nPadded / nr * mr * nr) * sizeof(float));
        return a + b + edges;
    }

    /// <summary>All threads' scratch for a problem on <paramref name="parallel"/>.</summary>
    public static long ScratchBytes(int m, int n, CpuPlatform platform, ParallelRunner parallel, bool packedA) =>
        parallel.Threads * ScratchBytesPerThread(m, n, platform, parallel.Threads, packedA);

    /// <summary>C (+)= A·B with A packed once ahead of time (<see cref="PackedMatrix"/>, e.g. convolution weights).</summary>
    /// <param name="epilogue">Applied to each finished tile of C (bias, residual, ReLU); its pointers must stay valid during the call.</param>
    /// <param name="scratch">At least <see cref="ScratchBytes"/> (packedA: true); none: allocated for this call.</param>
    /// <param name="a">A, [M][K], packed.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="b">B, [K][ldb].</param>
    /// <param name="ldb">B's leading dimension.</param>
    /// <param name="c">C, [M][ldc].</param>
    /// <param name="ldc">C's leading dimension.</param>
    /// <param name="accumulate">C += A·B; false: C = A·B.</param>
    /// <param name="parallel">The worker threads; null runs on the caller's thread.</param>
    public static void Multiply(PackedMatrix a, int n, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate,
        ParallelRunner? parallel = null, GemmEpilogue epilogue = default, Workspace scratch = default)
    {
        CheckExtent(b.Length, a.K, n, ldb, nameof(b));
        fixed (float* pb = b) Multiply(a, n, new MatrixB(pb, ldb), c, ldc, accumulate, parallel, epilogue, scratch);
    }

    /// <summary>
    /// C (+)= A·B with A packed ahead of time and B produced panel by panel by <paramref name="b"/> as each
    /// block needs it: a convolution's B can be gathered straight from its input (<see cref="Conv.ShiftedTaps"/>)
    /// without an im2col matrix. <paramref name="b"/> must stay valid during the call.
    /// </summary>
    public static void Multiply<TB>(PackedMatrix a, int n, TB b, Span<float> c, int ldc, bool accumulate,
        ParallelRunner? parallel = null, GemmEpilogue epilogue = default, Workspace scratch = default) where TB : struct, IBPanels
    {
        using var pin = a.Pin();
        Run(a.M, n, a.K, default, 0, b, c, ldc, accumulate, parallel, a.Platform, a, (float*)pin.Pointer, epilogue, scratch);
    }

    /// <inheritdoc cref="Multiply(PackedMatrix, int, ReadOnlySpan{float}, int, Span{float}, int, bool, ParallelRunner?, GemmEpilogue, Workspace)"/>
    /// <param name="scratch">At least <see cref="ScratchBytes"/> (packedA: false); none: allocated for this call.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="a">A, [M][lda].</param>
    /// <param name="lda">A's leading dimension.</param>
    /// <param name="b">B, [K][ldb].</param>
    /// <param name="ldb">B's leading dimension.</param>
    /// <param name="c">C, [M][ldc].</param>
    /// <param name="ldc">C's leading dimension.</param>
    /// <param name="accumulate">C += A·B; false: C = A·B.</param>
    /// <param name="parallel">The worker threads; null runs on the caller's thread.</param>
    /// <param name="platform">The tier's kernel table (the microkernel and its MR×NR).</param>
    /// <param name="epilogue">Applied to each finished tile of C (bias, residual, ReLU).</param>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, ParallelRunner? parallel, CpuPlatform platform, GemmEpilogue epilogue = default,
        Workspace scratch = default)
    {
        CheckExtent(a.Length, m, k, lda, nameof(a));
        CheckExtent(b.Length, k, n, ldb, nameof(b));
        fixed (float* pb = b) Run(m, n, k, a, lda, new MatrixB(pb, ldb), c, ldc, accumulate, parallel, platform, null, null, epilogue, scratch);
    }

    private static void Run<TB>(int m, int n, int k, ReadOnlySpan<float> a, int lda, TB b,
        Span<float> c, int ldc, bool accumulate, ParallelRunner? parallel, CpuPlatform platform, PackedMatrix? packed, float* packedData,
        GemmEpilogue epilogue, Workspace scratch) where TB : struct, IBPanels
    {
        if (m == 0 || n == 0) return;
        CheckExtent(c.Length, m, n, ldc, nameof(c));
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            if (!epilogue.IsNone) fixed (float* pc = c) epilogue.Apply(pc, ldc, 0, 0, m, n);
            return;
        }
        parallel ??= ParallelRunner.Sequential;
        var (mc, nc) = BlockSizes(m, n, platform, parallel.Threads);
        long perThread = ScratchBytesPerThread(m, n, platform, parallel.Threads, packed is not null);
        // Callers outside a compiled plan (tests, one-off products) pass no workspace: this call owns one.
        WorkspaceBuffer? own = scratch.Bytes == 0 ? new WorkspaceBuffer(perThread * parallel.Threads) : null;
        if (own is not null) scratch = own.Workspace;
        if (scratch.Bytes < perThread * parallel.Threads)
            throw new ArgumentException($"The GEMM needs {perThread * parallel.Threads} bytes of workspace; {scratch.Bytes} were given.", nameof(scratch));
        int rowBlocks = (m + mc - 1) / mc, colBlocks = (n + nc - 1) / nc;
        fixed (float* pa = a, pc = c)
            parallel.For(rowBlocks * colBlocks, new Job<TB>(pa, b, pc, m, n, k, lda, ldc, accumulate, platform, mc, nc, colBlocks, packed, packedData,
                epilogue, scratch.Pointer, perThread, parallel));
        GC.KeepAlive(own);
    }

    /// <summary>
    /// Block sizes for this problem: at most MC×NC, evened out so the last block is not a sliver, and cut
    /// finer (columns first, then rows) until there are two blocks per thread — ResNet's late layers have
    /// 256 output channels over 196 pixels, which the nominal blocking would give one busy thread.
    /// </summary>
    private static (int Mc, int Nc) BlockSizes(int m, int n, CpuPlatform platform, int threads)
    {
        static int Ceil(int a, int b) => (a + b - 1) / b;
        int mr = platform.MR, nr = platform.NR;
        int rowBlocks = Ceil(m, MC), colBlocks = Ceil(n, NC);
        int wanted = threads > 1 ? 2 * threads : 1;
        if (rowBlocks * colBlocks < wanted) colBlocks = Math.Max(colBlocks, Math.Min(Ceil(n, 2 * nr), Ceil(wanted, rowBlocks)));
        if (rowBlocks * colBlocks < wanted) rowBlocks = Math.Max(rowBlocks, Math.Min(Ceil(m, mr), Ceil(wanted, colBlocks)));
        return (Ceil(Ceil(m, rowBlocks), mr) * mr, Ceil(Ceil(n, colBlocks), nr) * nr);
    }

    private static void CheckExtent(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols || (rows > 0 && (long)(rows - 1) * ld + cols > length))
            throw new ArgumentException($"Matrix {name} ({rows}×{cols}, ld {ld}) does not fit in {length} elements.");
    }

    /// <summary>One output block per loop index: block t is row block t / colBlocks, column block t % colBlocks.</summary>
    private readonly struct Job<TB>(float* a, TB b, float* c, int m, int n, int k, int lda, int ldc, bool accumulate,
        CpuPlatform platform, int blockRows, int blockColumns, int colBlocks, PackedMatrix? packed, float* packedData, GemmEpilogue epilogue,
        byte* scratch, long scratchPerThread, ParallelRunner parallel)
        : IParallelBody where TB : struct, IBPanels
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int t) => RunBlock(t / colBlocks * blockRows, t % colBlocks * blockColumns);

        public void RunBlock(int row0, int col0)
        {
            int mr = platform.MR, nr = platform.NR;
            int mc = Math.Min(blockRows, m - row0), nc = Math.Min(blockColumns, n - col0);
            int mPadded = (mc + mr - 1) / mr * mr, nPadded = (nc + nr - 1) / nr * nr;
            // This thread's slice of the workspace, laid out as ScratchBytesPerThread sizes it (for the
            // largest block; this block may be smaller).
            byte* mine = scratch + parallel.CurrentWorker * scratchPerThread;
            int blockRowsPadded = (blockRows + mr - 1) / mr * mr, blockColumnsPadded = (blockColumns + nr - 1) / nr * nr;
            float* aPack = (float*)mine;
            float* bPack = (float*)(mine + (packed is null ? Workspace.Align((long)blockRowsPadded * KC * sizeof(float)) : 0));
            float* edges = (float*)((byte*)bPack + Workspace.Align((long)blockColumnsPadded * KC * sizeof(float)));
            // Partial tiles (the last rows, the last columns) accumulate in a strip of whole MR×NR tiles for all
            // K slices and reach C once, after the last slice. Copying each partial tile in and out around every
            // slice cost more than the tile itself: the kernel's vector loads of a tile just written element by
            // element stall on store forwarding (N = 49: 4.4 ms, against 1.9 ms for the larger N = 64).
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                int kc = Math.Min(KC, k - p0);
                bool first = p0 == 0, final = p0 + kc >= k;
                bool add = accumulate || !first;
                // Prepacked weights are used in place; otherwise this block of A is packed now.
                float* aPanels = packed is null ? aPack : packedData + packed.PanelOffset(p0, row0);
                if (packed is null) SgemmPack.PackA(a + (long)row0 * lda + p0, lda, mc, kc, mr, aPack);
                b.Pack(p0, kc, col0, nc, nr, bPack);
                for (int j = 0; j < nc; j += nr)
                    for (int i = 0; i < mc; i += mr)
                    {
                        float* tile = c + (long)(row0 + i) * ldc + col0 + j;
                        float* ap = aPanels + (long)i * kc, bp = bPack + (long)j * kc;
                        int rows = Math.Min(mr, mc - i), cols = Math.Min(nr, nc - j);
                        if (rows == mr && cols == nr)
                        {
                            platform.GemmKernel(kc, ap, bp, tile, ldc, add);
                            if (final && !epilogue.IsNone) epilogue.Apply(tile, ldc, row0 + i, col0 + j, rows, cols);
                            continue;
                        }
                        // The last column strip holds one tile per row tile; the last row tile (full
                        // columns) has its own tiles after it, one per column panel.
                        float* edge = cols < nr ? edges + (long)(i / mr) * mr * nr : edges + mPadded * nr + (long)(j / nr) * mr * nr;
                        if (first && accumulate) Load(tile, edge, rows, cols);
                        platform.GemmKernel(kc, ap, bp, edge, nr, add);
                        if (!final) continue;
                        Store(edge, tile, rows, cols);
                        if (!epilogue.IsNone) epilogue.Apply(tile, ldc, row0 + i, col0 + j, rows, cols);
                    }
            }
        }

        /// <summary>C's existing rows × cols of a partial tile into its MR×NR strip tile (accumulating GEMMs only).</summary>
        private void Load(float* tile, float* edge, int rows, int cols)
        {
            int nr = platform.NR;
            for (int r = 0; r < platform.MR; r++)
                for (int q = 0; q < nr; q++) edge[r * nr + q] = r < rows && q < cols ? tile[(long)r * ldc + q] : 0f;
        }

        /// <summary>The rows × cols of a finished strip tile that exist in C.</summary>
        private void Store(float* edge, float* tile, int rows, int cols)
        {
            for (int r = 0; r < rows; r++)
                new ReadOnlySpan<float>(edge + r * platform.NR, cols).CopyTo(new Span<float>(tile + (long)r * ldc, cols));
        }
    }
}

/// <summary>
/// The source of the GEMM's B operand: packs rows [p0, p0 + kc) × columns [col0, col0 + nc) into [NR]-wide
/// panels, [nc/NR][kc][NR], columns past nc zero, right before the block that uses them.
/// </summary>
internal unsafe interface IBPanels
{
    void Pack(int p0, int kc, int col0, int nc, int nr, float* dst);
}

/// <summary>B as a row-major matrix in memory.</summary>
internal readonly unsafe struct MatrixB(float* b, int ldb) : IBPanels
{
    public void Pack(int p0, int kc, int col0, int nc, int nr, float* dst) => SgemmPack.PackB(b + (long)p0 * ldb + col0, ldb, kc, nc, nr, dst);
}
