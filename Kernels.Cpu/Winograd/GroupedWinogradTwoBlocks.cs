using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// The products of <see cref="GroupedWinogradBatches"/> for groups of two channel blocks in and out (ResNeXt's groups of 32
/// channels on AVX-512): one register tile of <see cref="Width"/> tiles × 2 output blocks per ξ, V and M [ξ][tile][32],
/// U [ξ][32 input channels][2][16].
/// </summary>
internal static unsafe class GroupedWinogradTwoBlocks
{
    /// <summary>Tiles per batch: 8 × 2 blocks = 16 accumulators; a 7×7 plane's 16 tiles are two batches, a 14×14 plane's 49 seven.</summary>
    public const int Width = 8;

    /// <summary>Floats per tile in V and M: both blocks' 16 channels.</summary>
    private const int Lanes = 32;

    /// <summary>
    /// M[ξ][t][o] = Σ_c V[ξ][t][c] · U[ξ][c][o] for the batch's <see cref="Width"/> tiles and both output blocks: each tile's
    /// channel c broadcast once into a register and multiplied by U's two blocks of row c (two FMAs per broadcast, as the
    /// direct tiles share theirs over four: tools/disasm-check.sh expects no embedded broadcast here).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BlockPairProducts(float* v, float* u, nint uXi, float* m, nint xiStride)
    {
        for (int xi = 0; xi < GroupedWinogradBatches.Xi; xi++)
        {
            float* vx = v + xi * xiStride, wi = u + xi * uXi, mx = m + xi * xiStride;
            Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = a60 = a61 = a70 = a71 = Vector512<float>.Zero;
            for (nint c = 0; c < Lanes; c++, wi += Lanes)
            {
                Vector512<float> w0 = Vector512.Load(wi), w1 = Vector512.Load(wi + 16), s;
                s = Vector512.Create(vx[c]); a00 = Vector512.FusedMultiplyAdd(s, w0, a00); a01 = Vector512.FusedMultiplyAdd(s, w1, a01);
                s = Vector512.Create(vx[Lanes + c]); a10 = Vector512.FusedMultiplyAdd(s, w0, a10); a11 = Vector512.FusedMultiplyAdd(s, w1, a11);
                s = Vector512.Create(vx[2 * Lanes + c]); a20 = Vector512.FusedMultiplyAdd(s, w0, a20); a21 = Vector512.FusedMultiplyAdd(s, w1, a21);
                s = Vector512.Create(vx[3 * Lanes + c]); a30 = Vector512.FusedMultiplyAdd(s, w0, a30); a31 = Vector512.FusedMultiplyAdd(s, w1, a31);
                s = Vector512.Create(vx[4 * Lanes + c]); a40 = Vector512.FusedMultiplyAdd(s, w0, a40); a41 = Vector512.FusedMultiplyAdd(s, w1, a41);
                s = Vector512.Create(vx[5 * Lanes + c]); a50 = Vector512.FusedMultiplyAdd(s, w0, a50); a51 = Vector512.FusedMultiplyAdd(s, w1, a51);
                s = Vector512.Create(vx[6 * Lanes + c]); a60 = Vector512.FusedMultiplyAdd(s, w0, a60); a61 = Vector512.FusedMultiplyAdd(s, w1, a61);
                s = Vector512.Create(vx[7 * Lanes + c]); a70 = Vector512.FusedMultiplyAdd(s, w0, a70); a71 = Vector512.FusedMultiplyAdd(s, w1, a71);
            }
            Vector512.Store(a00, mx); Vector512.Store(a01, mx + 16); Vector512.Store(a10, mx + 32); Vector512.Store(a11, mx + 48);
            Vector512.Store(a20, mx + 64); Vector512.Store(a21, mx + 80); Vector512.Store(a30, mx + 96); Vector512.Store(a31, mx + 112);
            Vector512.Store(a40, mx + 128); Vector512.Store(a41, mx + 144); Vector512.Store(a50, mx + 160); Vector512.Store(a51, mx + 176);
            Vector512.Store(a60, mx + 192); Vector512.Store(a61, mx + 208); Vector512.Store(a70, mx + 224); Vector512.Store(a71, mx + 240);
        }
    }
}
