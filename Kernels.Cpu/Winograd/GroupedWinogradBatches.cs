using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Epilogues;
using Cardinal.Kernels.Cpu.Simd;

namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// Winograd F(2×2, 3×3) on AVX-512 for one group of one or two channel blocks in and out (ResNeXt's groups of 16 and 32
/// channels), all three stages in one loop over batches of tiles: the batch's input transform into V [ξ][tile][16·blocks],
/// the 16 products M[ξ] = V[ξ] · U[ξ] by one register tile of the batch (<see cref="GroupedWinogradOneBlock"/>: 10 tiles;
/// <see cref="GroupedWinogradTwoBlocks"/>: 8 tiles × 2 output blocks), and the output transform through the epilogue. V and M
/// stay in L1 (10 KB each for one block, 16 KB for two), U (16 or 64 KB) in L1 or L2. Tiles inside the plane take the
/// transforms in registers (<see cref="InputInterior"/>, <see cref="OutputInterior{TEpilogue}"/>), border tiles the general ones.
/// The general grouped path of <see cref="WinogradPlan"/> (the direct kernel's register tiles over each ξ) spent more on its
/// calls than on its multiply-adds here: each ran 16 channel steps (NOTES "Thirty-fifth sitting").
/// Twin: that path (the same sums in the same order: equal bit for bit, a test), and the float64 convolution.
/// </summary>
internal static unsafe class GroupedWinogradBatches
{
    /// <summary>ξ count of F(2×2): a 4×4 input tile.</summary>
    internal const int Xi = 16;

    /// <summary>Tiles per batch: the register tile's width for groups of <paramref name="blocks"/> blocks.</summary>
    public static int Width(int blocks) => blocks == 1 ? GroupedWinogradOneBlock.Width : GroupedWinogradTwoBlocks.Width;

    /// <summary>Floats of the scratch a call needs: V and M ([ξ][width][16·blocks] each) and the general transforms' two 16-vector tiles.</summary>
    public static int ScratchFloats(int blocks) => 2 * Xi * Width(blocks) * 16 * blocks + 2 * Xi * 16;

    /// <summary>Tiles [t0, t1) of one image's plane (tile t at row t / tilesW, column t % tilesW) of one group.</summary>
    /// <param name="blocks">Blocks per group, in and out: 1 or 2.</param>
    /// <param name="x">The group's first input block plane [InH][InW][16]; the next follows <paramref name="inPlane"/> floats on.</param>
    /// <param name="inPlane">Floats per input block plane.</param>
    /// <param name="inH">The input plane's height.</param>
    /// <param name="inW">The input plane's width.</param>
    /// <param name="padH">Padding above (tile row th reads input rows from 2·th − padH).</param>
    /// <param name="padW">Padding on the left.</param>
    /// <param name="u">The group's U at ξ 0: [16·blocks input channels][blocks][16].</param>
    /// <param name="uXi">Floats from one ξ's U to the next.</param>
    /// <param name="bias">The group's 16·blocks biases.</param>
    /// <param name="y">The group's first output block plane [OutH][OutW][16]; the next follows <paramref name="outPlane"/> floats on.</param>
    /// <param name="residual">Laid out as <paramref name="y"/>, read when the epilogue adds it; else null.</param>
    /// <param name="outPlane">Floats per output block plane.</param>
    /// <param name="outH">The output plane's height.</param>
    /// <param name="outW">The output plane's width.</param>
    /// <param name="tilesW">Tiles per tile row.</param>
    /// <param name="t0">The first tile.</param>
    /// <param name="t1">Past the last tile.</param>
    /// <param name="scratch">At least <see cref="ScratchFloats"/> floats, 64-byte aligned, contents undefined.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TEpilogue>(int blocks, float* x, long inPlane, int inH, int inW, int padH, int padW, float* u, nint uXi, float* bias,
        float* y, float* residual, long outPlane, int outH, int outW, int tilesW, int t0, int t1, float* scratch) where TEpilogue : struct, IEpilogue
    {
        int width = Width(blocks), lanes = 16 * blocks;
        nint xiStride = (nint)width * lanes, inRow = (nint)inW * 16, outRow = (nint)outW * 16;
        float* v = scratch, m = v + Xi * xiStride, tile = m + Xi * xiStride;
        for (int g = t0; g < t1;)
        {
            int count = Math.Min(width, t1 - g);
            for (int i = 0; i < count; i++)
            {
                int th = (g + i) / tilesW, tw = (g + i) % tilesW, ih0 = th * 2 - padH, iw0 = tw * 2 - padW;
                bool inside = ih0 >= 0 && iw0 >= 0 && ih0 + 4 <= inH && iw0 + 4 <= inW;
                for (int cb = 0; cb < blocks; cb++)
                {
                    float* plane = x + cb * inPlane, vt = v + i * lanes + cb * 16;
                    if (inside) InputInterior(plane + ((nint)ih0 * inW + iw0) * 16, inRow, vt, xiStride);
                    else WinogradTransforms<Vec512>.Input(2, plane, inH, inW, ih0, iw0, tile, vt, xiStride);
                }
            }
            // The accumulators past the batch multiply zeros, not whatever the workspace held (a NaN there costs nothing
            // in value, but denormals would slow every FMA).
            if (count < width)
                for (int xi = 0; xi < Xi; xi++) new Span<float>(v + xi * xiStride + count * lanes, (width - count) * lanes).Clear();
            if (blocks == 1) GroupedWinogradOneBlock.Products(v, u, uXi, m, xiStride);
            else GroupedWinogradTwoBlocks.BlockPairProducts(v, u, uXi, m, xiStride);
            for (int ob = 0; ob < blocks; ob++)
            {
                float* yo = y + ob * outPlane, ro = residual == null ? null : residual + ob * outPlane, bo = bias + ob * 16;
                Vector512<float> biasVector = Vector512.Load(bo);
                for (int i = 0; i < count; i++)
                {
                    int th = (g + i) / tilesW, tw = (g + i) % tilesW, oh0 = th * 2, ow0 = tw * 2;
                    float* mt = m + i * lanes + ob * 16;
                    if (oh0 + 2 <= outH && ow0 + 2 <= outW)
                    {
                        nint at = ((nint)oh0 * outW + ow0) * 16;
                        OutputInterior<TEpilogue>(mt, xiStride, biasVector, yo + at, ro == null ? null : ro + at, outRow);
                    }
                    else WinogradTransforms<Vec512>.Output<TEpilogue>(2, mt, xiStride, tile, yo, ro, bo, outH, outW, oh0, ow0);
                }
            }
            g += count;
        }
    }

    /// <summary>
    /// V = Bᵀ d B of a 4×4 tile inside the plane (<paramref name="p"/> its top-left pixel, <paramref name="row"/> floats per
    /// input row), in registers: the 16 pixels, Bᵀ down the columns (r0 = d0 − d2, r1 = d1 + d2, r2 = d2 − d1, r3 = d3 − d1), then
    /// the same along each row, ξ = 4i + k stored at <paramref name="v"/> + ξ · <paramref name="xiStride"/>. The general transform
    /// (<see cref="WinogradTransforms{TVec}.Input"/>) goes through a scratch tile, and cost these layers as much as their products.
    /// The same sums in the same order: the same values bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputInterior(float* p, nint row, float* v, nint xiStride)
    {
        float* p0 = p, p1 = p0 + row, p2 = p1 + row, p3 = p2 + row;
        // Down each column c: t_i[c] = (Bᵀ d)[i][c].
        Vector512<float> d10 = Vector512.Load(p1), d11 = Vector512.Load(p1 + 16), d12 = Vector512.Load(p1 + 32), d13 = Vector512.Load(p1 + 48);
        Vector512<float> d20 = Vector512.Load(p2), d21 = Vector512.Load(p2 + 16), d22 = Vector512.Load(p2 + 32), d23 = Vector512.Load(p2 + 48);
        RowOut(Vector512.Load(p0) - d20, Vector512.Load(p0 + 16) - d21, Vector512.Load(p0 + 32) - d22, Vector512.Load(p0 + 48) - d23, v, xiStride);
        RowOut(d10 + d20, d11 + d21, d12 + d22, d13 + d23, v + 4 * xiStride, xiStride);
        RowOut(d20 - d10, d21 - d11, d22 - d12, d23 - d13, v + 8 * xiStride, xiStride);
        RowOut(Vector512.Load(p3) - d10, Vector512.Load(p3 + 16) - d11, Vector512.Load(p3 + 32) - d12, Vector512.Load(p3 + 48) - d13, v + 12 * xiStride, xiStride);
    }

    /// <summary>One row i of (Bᵀ d) times B: V[i][0] = t0 − t2, V[i][1] = t1 + t2, V[i][2] = t2 − t1, V[i][3] = t3 − t1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowOut(Vector512<float> t0, Vector512<float> t1, Vector512<float> t2, Vector512<float> t3, float* v, nint xiStride)
    {
        Vector512.Store(t0 - t2, v);
        Vector512.Store(t1 + t2, v + xiStride);
        Vector512.Store(t2 - t1, v + 2 * xiStride);
        Vector512.Store(t3 - t1, v + 3 * xiStride);
    }

    /// <summary>
    /// Y = Aᵀ M A of one tile whose 2×2 pixels all lie in the plane, in registers, through the epilogue: down the columns
    /// s0 = m0 + m1 + m2, s1 = m1 − m2 + m3, then along each row the same. The same sums in the same order as
    /// <see cref="WinogradTransforms{TVec}.Output"/>: the same values bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputInterior<TEpilogue>(float* m, nint xiStride, Vector512<float> bias, float* y, float* residual, nint row)
        where TEpilogue : struct, IEpilogue
    {
        // Column k of M: ξ = k, 4 + k, 8 + k, 12 + k.
        Vector512<float> s00, s10, s01, s11, s02, s12, s03, s13;
        ColumnOut(m, xiStride, out s00, out s10);
        ColumnOut(m + xiStride, xiStride, out s01, out s11);
        ColumnOut(m + 2 * xiStride, xiStride, out s02, out s12);
        ColumnOut(m + 3 * xiStride, xiStride, out s03, out s13);
        Vector512<float> y00 = s00 + s01 + s02, y01 = s01 - s02 + s03, y10 = s10 + s11 + s12, y11 = s11 - s12 + s13;
        Vector512.Store(TEpilogue.Apply(y00, bias, TEpilogue.ReadsResidual ? Vector512.Load(residual) : default), y);
        Vector512.Store(TEpilogue.Apply(y01, bias, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(y10, bias, TEpilogue.ReadsResidual ? Vector512.Load(residual + row) : default), y + row);
        Vector512.Store(TEpilogue.Apply(y11, bias, TEpilogue.ReadsResidual ? Vector512.Load(residual + row + 16) : default), y + row + 16);
    }

    /// <summary>Aᵀ down column k of M (its ξ at <paramref name="m"/> + 4i · <paramref name="xiStride"/>): s0 = m0 + m1 + m2, s1 = m1 − m2 + m3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ColumnOut(float* m, nint xiStride, out Vector512<float> s0, out Vector512<float> s1)
    {
        Vector512<float> m0 = Vector512.Load(m), m1 = Vector512.Load(m + 4 * xiStride), m2 = Vector512.Load(m + 8 * xiStride), m3 = Vector512.Load(m + 12 * xiStride);
        s0 = m0 + m1 + m2;
        s1 = m1 - m2 + m3;
    }
}
