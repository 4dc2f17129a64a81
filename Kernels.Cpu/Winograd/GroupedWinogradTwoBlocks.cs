using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Epilogues;
using Cardinal.Kernels.Cpu.Simd;

namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// Winograd F(2×2, 3×3) on AVX-512 for a group of exactly two channel blocks in and out (ResNeXt's groups of 32 channels),
/// as <see cref="GroupedWinogradOneBlock"/> does for one: per batch of <see cref="Width"/> tiles, the input transform of both
/// blocks into V [ξ][tile][32], the 16 products M[ξ] = V[ξ] · U[ξ] as one register tile of <see cref="Width"/> tiles × 2
/// output blocks (each broadcast feeds both blocks' multiply-adds), and the output transform of both blocks through the
/// epilogue. The group's U (64 KB) comes from L2, V and M (16 KB each) stay in L1. Twin: the general grouped path of
/// <see cref="WinogradPlan"/> (the same sums in the same order: equal bit for bit, a test), and the float64 convolution.
/// </summary>
internal static unsafe class GroupedWinogradTwoBlocks
{
    /// <summary>Tiles per batch: 8 × 2 blocks = 16 accumulators; a 7×7 plane's 16 tiles are two batches, a 14×14 plane's 49 seven.</summary>
    public const int Width = 8;

    private const int Xi = 16;
    /// <summary>Floats per tile in V and M: both blocks' 16 channels.</summary>
    private const int Lanes = 32;

    /// <summary>Floats of the scratch a call needs: V and M ([ξ][Width][32] each) and the general transforms' two 16-vector tiles.</summary>
    public static int ScratchFloats => 2 * Xi * Width * Lanes + 2 * Xi * 16;

    /// <summary>Tiles [t0, t1) of one image's plane of one group (tile t at row t / tilesW, column t % tilesW).</summary>
    /// <param name="x">The group's first input block plane [InH][InW][16]; the second follows <paramref name="inPlane"/> floats on.</param>
    /// <param name="inPlane">Floats per input block plane.</param>
    /// <param name="inH">The input plane's height.</param>
    /// <param name="inW">The input plane's width.</param>
    /// <param name="padH">Padding above.</param>
    /// <param name="padW">Padding on the left.</param>
    /// <param name="u">The group's U: [ξ][32 input channels][2 output blocks][16], ξ after ξ.</param>
    /// <param name="bias">The group's 32 biases.</param>
    /// <param name="y">The group's first output block plane [OutH][OutW][16]; the second follows <paramref name="outPlane"/> floats on.</param>
    /// <param name="residual">Laid out as <paramref name="y"/>, read when the epilogue adds it; else null.</param>
    /// <param name="outPlane">Floats per output block plane.</param>
    /// <param name="outH">The output plane's height.</param>
    /// <param name="outW">The output plane's width.</param>
    /// <param name="tilesW">Tiles per tile row.</param>
    /// <param name="t0">The first tile.</param>
    /// <param name="t1">Past the last tile.</param>
    /// <param name="scratch">At least <see cref="ScratchFloats"/> floats, 64-byte aligned, contents undefined.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TEpilogue>(float* x, long inPlane, int inH, int inW, int padH, int padW, float* u, float* bias, float* y, float* residual,
        long outPlane, int outH, int outW, int tilesW, int t0, int t1, float* scratch) where TEpilogue : struct, IEpilogue
    {
        nint xiStride = (nint)Width * Lanes, inRow = (nint)inW * 16, outRow = (nint)outW * 16;
        float* v = scratch, m = v + Xi * xiStride, tile = m + Xi * xiStride;
        for (int g = t0; g < t1;)
        {
            int count = Math.Min(Width, t1 - g);
            for (int i = 0; i < count; i++)
            {
                int th = (g + i) / tilesW, tw = (g + i) % tilesW, ih0 = th * 2 - padH, iw0 = tw * 2 - padW;
                bool inside = ih0 >= 0 && iw0 >= 0 && ih0 + 4 <= inH && iw0 + 4 <= inW;
                for (int cb = 0; cb < 2; cb++)
                {
                    float* plane = x + cb * inPlane, vt = v + i * Lanes + cb * 16;
                    if (inside) GroupedWinogradOneBlock.InputInterior(plane + ((nint)ih0 * inW + iw0) * 16, inRow, vt, xiStride);
                    else WinogradTransforms<Vec512>.Input(2, plane, inH, inW, ih0, iw0, tile, vt, xiStride);
                }
            }
            // The accumulators past the batch multiply zeros (denormals from an undefined workspace would slow every FMA).
            if (count < Width)
                for (int xi = 0; xi < Xi; xi++) new Span<float>(v + xi * xiStride + count * Lanes, (Width - count) * Lanes).Clear();
            BlockPairProducts(v, u, m, xiStride);
            for (int ob = 0; ob < 2; ob++)
            {
                float* yo = y + ob * outPlane, ro = residual == null ? null : residual + ob * outPlane, bo = bias + ob * 16;
                Vector512<float> biasVector = Vector512.Load(bo);
                for (int i = 0; i < count; i++)
                {
                    int th = (g + i) / tilesW, tw = (g + i) % tilesW, oh0 = th * 2, ow0 = tw * 2;
                    float* mt = m + i * Lanes + ob * 16;
                    if (oh0 + 2 <= outH && ow0 + 2 <= outW)
                    {
                        nint at = ((nint)oh0 * outW + ow0) * 16;
                        GroupedWinogradOneBlock.OutputInterior<TEpilogue>(mt, xiStride, biasVector, yo + at, ro == null ? null : ro + at, outRow);
                    }
                    else WinogradTransforms<Vec512>.Output<TEpilogue>(2, mt, xiStride, tile, yo, ro, bo, outH, outW, oh0, ow0);
                }
            }
            g += count;
        }
    }

    /// <summary>
    /// M[ξ][t][o] = Σ_c V[ξ][t][c] · U[ξ][c][o] for the batch's <see cref="Width"/> tiles and both output blocks: each tile's
    /// channel c broadcast once into a register and multiplied by U's two blocks of row c (two FMAs per broadcast, as the
    /// direct tiles share theirs over four: tools/disasm-check.sh expects no embedded broadcast here).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockPairProducts(float* v, float* u, float* m, nint xiStride)
    {
        for (int xi = 0; xi < Xi; xi++)
        {
            float* vx = v + xi * xiStride, wi = u + xi * Lanes * Lanes, mx = m + xi * xiStride;
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
