namespace Cardinal.Kernels.Cpu.Gemm;

/// <summary>Packs GEMM operands into the panels the microkernels stream through.</summary>
internal static unsafe class SgemmPack
{
    /// <summary>
    /// A block: src rows [0, mc) × columns [0, kc) (row stride lda) → dst [⌈mc/MR⌉][kc][MR];
    /// rows past mc are zero so edge tiles need no special case inside the microkernel.
    /// </summary>
    public static void PackA(float* src, int lda, int mc, int kc, int mr, float* dst)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            for (int p = 0; p < kc; p++)
            {
                float* column = src + (long)i0 * lda + p;
                int r = 0;
                for (; r < rows; r++) dst[r] = column[(long)r * lda];
                for (; r < mr; r++) dst[r] = 0f;
                dst += mr;
            }
        }
    }

    /// <summary>
    /// B block: src rows [0, kc) × columns [0, nc) (row stride ldb) → dst [⌈nc/NR⌉][kc][NR];
    /// columns past nc are zero.
    /// </summary>
    public static void PackB(float* src, int ldb, int kc, int nc, int nr, float* dst)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            for (int p = 0; p < kc; p++)
            {
                float* row = src + (long)p * ldb + j0;
                if (cols == nr) new ReadOnlySpan<float>(row, nr).CopyTo(new Span<float>(dst, nr));
                else
                {
                    new ReadOnlySpan<float>(row, cols).CopyTo(new Span<float>(dst, cols));
                    new Span<float>(dst + cols, nr - cols).Clear();
                }
                dst += nr;
            }
        }
    }
}
