namespace Cardinal.Kernels.Cpu.Gemm;

/// <summary>
/// A left-hand GEMM operand (convolution weights) packed once, at load, for one platform: for each
/// K slice of <see cref="Sgemm.KC"/>, rows in [MR]-wide panels, each panel [kc][MR], rows past M zero.
/// src [M][K] (row stride lda) → dst slice s at Σ_{s'&lt;s} Mpadded·kc_{s'}, panel of rows i at +i·kc_s.
/// </summary>
internal sealed unsafe class PackedMatrix
{
    private readonly float[] _data;
    private readonly long[] _sliceOffsets;

    public PackedMatrix(ReadOnlySpan<float> src, int m, int k, int lda, CpuPlatform platform)
    {
        M = m; K = k; Platform = platform;
        int mr = platform.MR, mPadded = (m + mr - 1) / mr * mr;
        int slices = (k + Sgemm.KC - 1) / Sgemm.KC;
        _sliceOffsets = new long[slices];
        _data = new float[(long)mPadded * k];
        fixed (float* s = src, d = _data)
        {
            long offset = 0;
            for (int slice = 0; slice < slices; slice++)
            {
                int p0 = slice * Sgemm.KC, kc = Math.Min(Sgemm.KC, k - p0);
                _sliceOffsets[slice] = offset;
                SgemmPack.PackA(s + p0, lda, m, kc, mr, d + offset);
                offset += (long)mPadded * kc;
            }
        }
    }

    public int M { get; }
    public int K { get; }
    public CpuPlatform Platform { get; }

    /// <summary>Pins the data for the duration of a multiply.</summary>
    internal System.Buffers.MemoryHandle Pin() => _data.AsMemory().Pin();

    /// <summary>Offset of the panel holding rows [row0, row0 + MR) of the K slice starting at p0.</summary>
    internal long PanelOffset(int p0, int row0)
    {
        int slice = p0 / Sgemm.KC, kc = Math.Min(Sgemm.KC, K - p0);
        return _sliceOffsets[slice] + (long)row0 * kc;
    }
}
