using System.Runtime.CompilerServices;
using Cardinal.Epilogues;
using Cardinal.Kernels.Cpu.Simd;

namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// The input and output transforms of <see cref="WinogradMatrices.F4"/> and <see cref="WinogradMatrices.F2"/>,
/// written out with their constants so that the JIT sees every zero and shares the common terms (17 vector
/// operations per 1-D input transform of F4 where the dense 6×6 product takes 36). Channels lie in the vector lanes:
/// one call transforms one tile of one channel block. The 2-D transform is the 1-D one down the columns into a
/// scratch tile, then along its rows. Twin: the dense matrices of <see cref="WinogradMatrices"/> (a test).
/// </summary>
internal static unsafe class WinogradTransforms<TVec> where TVec : unmanaged, IVec<TVec>
{
    // ---- F(4×4, 3×3), points 0, −1, 1, ½, −2, ∞ (rows of the scaled Bᵀ and of Aᵀ in WinogradMatrices.F4).

    /// <summary>Bᵀ d: r0 = d0 − 1.5d1 − 2d2 + 1.5d3 + d4, r1 = −2d1 + 5d2 − d3 − 2d4, r2 = −2d1 + d2 + 5d3 + 2d4,
    /// r3 = 2d1 + d2 − 2d3 − d4, r4 = d1 − 2d2 − d3 + 2d4, r5 = d1 − 1.5d2 − 2d3 + 1.5d4 + d5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void In4(TVec d0, TVec d1, TVec d2, TVec d3, TVec d4, TVec d5, float* r, nint step)
    {
        TVec two = TVec.Broadcast(2), minusTwo = TVec.Broadcast(-2), minusOneHalf = TVec.Broadcast(-1.5f), four = TVec.Broadcast(4), five = TVec.Broadcast(5);
        TVec a = TVec.Subtract(d1, d3), c = TVec.Subtract(d2, d4), e = TVec.Add(d1, d4), h = TVec.Subtract(d1, d4);
        TVec.Store(r, TVec.MultiplyAdd(a, minusOneHalf, TVec.MultiplyAdd(d2, minusTwo, TVec.Add(d0, d4))));
        TVec f = TVec.MultiplyAdd(e, minusTwo, d2);
        TVec.Store(r + step, TVec.MultiplyAdd(d2, four, TVec.Subtract(f, d3)));
        TVec.Store(r + 2 * step, TVec.MultiplyAdd(d3, five, TVec.MultiplyAdd(h, minusTwo, d2)));
        TVec.Store(r + 3 * step, TVec.MultiplyAdd(a, two, c));
        TVec.Store(r + 4 * step, TVec.MultiplyAdd(c, minusTwo, a));
        TVec.Store(r + 5 * step, TVec.MultiplyAdd(c, minusOneHalf, TVec.MultiplyAdd(d3, minusTwo, TVec.Add(d1, d5))));
    }

    /// <summary>Aᵀ m: y0 = m0 + m1 + m2 + m3 + m4, y1 = −m1 + m2 + ½m3 − 2m4, y2 = m1 + m2 + ¼m3 + 4m4, y3 = −m1 + m2 + ⅛m3 − 8m4 + m5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Out4(TVec m0, TVec m1, TVec m2, TVec m3, TVec m4, TVec m5, out TVec y0, out TVec y1, out TVec y2, out TVec y3)
    {
        TVec s = TVec.Add(m1, m2), t = TVec.Subtract(m2, m1);
        y0 = TVec.Add(TVec.Add(m0, s), TVec.Add(m3, m4));
        y1 = TVec.MultiplyAdd(m4, TVec.Broadcast(-2), TVec.MultiplyAdd(m3, TVec.Broadcast(0.5f), t));
        y2 = TVec.MultiplyAdd(m4, TVec.Broadcast(4), TVec.MultiplyAdd(m3, TVec.Broadcast(0.25f), s));
        y3 = TVec.MultiplyAdd(m4, TVec.Broadcast(-8), TVec.MultiplyAdd(m3, TVec.Broadcast(0.125f), TVec.Add(t, m5)));
    }

    // ---- F(2×2, 3×3), points 0, 1, −1, ∞.

    /// <summary>Bᵀ d: r0 = d0 − d2, r1 = d1 + d2, r2 = d2 − d1, r3 = d3 − d1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void In2(TVec d0, TVec d1, TVec d2, TVec d3, float* r, nint step)
    {
        TVec.Store(r, TVec.Subtract(d0, d2));
        TVec.Store(r + step, TVec.Add(d1, d2));
        TVec.Store(r + 2 * step, TVec.Subtract(d2, d1));
        TVec.Store(r + 3 * step, TVec.Subtract(d3, d1));
    }

    /// <summary>Aᵀ m: y0 = m0 + m1 + m2, y1 = m1 − m2 + m3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Out2(TVec m0, TVec m1, TVec m2, TVec m3, out TVec y0, out TVec y1)
    {
        y0 = TVec.Add(TVec.Add(m0, m1), m2);
        y1 = TVec.Add(TVec.Subtract(m1, m2), m3);
    }

    /// <summary>Input pixel (ih, iw) of a [InH][InW][b] plane, zero outside it (the convolution's padding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec At(float* plane, int inH, int inW, int ih, int iw) =>
        (uint)ih < (uint)inH && (uint)iw < (uint)inW ? TVec.Load(plane + ((nint)ih * inW + iw) * TVec.Count) : TVec.Broadcast(0);

    /// <summary>
    /// V = Bᵀ d B for the n×n input tile at (ih0, iw0) of one channel block (zero outside the plane): transformed
    /// element ξ = i·n + k goes to <paramref name="v"/> + ξ·<paramref name="xiStride"/>. <paramref name="scratch"/>
    /// holds n·n vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Input(int m, float* plane, int inH, int inW, int ih0, int iw0, float* scratch, float* v, nint xiStride)
    {
        int b = TVec.Count, n = m + 2;
        bool interior = ih0 >= 0 && iw0 >= 0 && ih0 + n <= inH && iw0 + n <= inW;
        nint row = (nint)inW * b;
        // Down each column j: scratch[i][j] = (Bᵀ d)[i][j].
        for (int j = 0; j < n; j++)
        {
            float* s = scratch + j * b;
            if (m == 4)
            {
                if (interior)
                {
                    float* p = plane + ((nint)ih0 * inW + iw0 + j) * b;
                    In4(TVec.Load(p), TVec.Load(p + row), TVec.Load(p + 2 * row), TVec.Load(p + 3 * row), TVec.Load(p + 4 * row), TVec.Load(p + 5 * row), s, 6 * b);
                }
                else
                {
                    int iw = iw0 + j;
                    In4(At(plane, inH, inW, ih0, iw), At(plane, inH, inW, ih0 + 1, iw), At(plane, inH, inW, ih0 + 2, iw),
                        At(plane, inH, inW, ih0 + 3, iw), At(plane, inH, inW, ih0 + 4, iw), At(plane, inH, inW, ih0 + 5, iw), s, 6 * b);
                }
            }
            else
            {
                if (interior)
                {
                    float* p = plane + ((nint)ih0 * inW + iw0 + j) * b;
                    In2(TVec.Load(p), TVec.Load(p + row), TVec.Load(p + 2 * row), TVec.Load(p + 3 * row), s, 4 * b);
                }
                else
                {
                    int iw = iw0 + j;
                    In2(At(plane, inH, inW, ih0, iw), At(plane, inH, inW, ih0 + 1, iw), At(plane, inH, inW, ih0 + 2, iw), At(plane, inH, inW, ih0 + 3, iw), s, 4 * b);
                }
            }
        }
        // Along each row i: V[i][k] = Σ_j scratch[i][j] B[j][k], the same 1-D transform.
        for (int i = 0; i < n; i++)
        {
            float* s = scratch + i * n * b, out0 = v + i * n * xiStride;
            if (m == 4) In4(TVec.Load(s), TVec.Load(s + b), TVec.Load(s + 2 * b), TVec.Load(s + 3 * b), TVec.Load(s + 4 * b), TVec.Load(s + 5 * b), out0, xiStride);
            else In2(TVec.Load(s), TVec.Load(s + b), TVec.Load(s + 2 * b), TVec.Load(s + 3 * b), out0, xiStride);
        }
    }

    /// <summary>
    /// Y = Aᵀ M A for one tile of one output block (M's element ξ at <paramref name="mIn"/> + ξ·<paramref name="xiStride"/>),
    /// through the epilogue, stored at output pixel (oh0 + r, ow0 + c) of a [OutH][OutW][b] plane where that pixel
    /// exists (the residual laid out as y). <paramref name="scratch"/> holds m·n vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Output<TEpilogue>(int m, float* mIn, nint xiStride, float* scratch, float* y, float* residual, float* bias,
        int outH, int outW, int oh0, int ow0) where TEpilogue : struct, IEpilogue
    {
        int b = TVec.Count, n = m + 2;
        // Down each column j: scratch[r][j] = (Aᵀ M)[r][j].
        for (int j = 0; j < n; j++)
        {
            float* p = mIn + j * xiStride, s = scratch + j * b;
            nint col = n * xiStride;
            if (m == 4)
            {
                Out4(TVec.Load(p), TVec.Load(p + col), TVec.Load(p + 2 * col), TVec.Load(p + 3 * col), TVec.Load(p + 4 * col), TVec.Load(p + 5 * col),
                    out TVec s0, out TVec s1, out TVec s2, out TVec s3);
                TVec.Store(s, s0); TVec.Store(s + 6 * b, s1); TVec.Store(s + 12 * b, s2); TVec.Store(s + 18 * b, s3);
            }
            else
            {
                Out2(TVec.Load(p), TVec.Load(p + col), TVec.Load(p + 2 * col), TVec.Load(p + 3 * col), out TVec s0, out TVec s1);
                TVec.Store(s, s0); TVec.Store(s + 4 * b, s1);
            }
        }
        TVec bv = TVec.Load(bias);
        int rows = Math.Min(m, outH - oh0), cols = Math.Min(m, outW - ow0);
        Span<TVec> yr = stackalloc TVec[4];
        for (int r = 0; r < rows; r++)
        {
            float* s = scratch + r * n * b;
            if (m == 4) Out4(TVec.Load(s), TVec.Load(s + b), TVec.Load(s + 2 * b), TVec.Load(s + 3 * b), TVec.Load(s + 4 * b), TVec.Load(s + 5 * b), out yr[0], out yr[1], out yr[2], out yr[3]);
            else Out2(TVec.Load(s), TVec.Load(s + b), TVec.Load(s + 2 * b), TVec.Load(s + 3 * b), out yr[0], out yr[1]);
            nint offset = ((nint)(oh0 + r) * outW + ow0) * b;
            for (int c = 0; c < cols; c++, offset += b)
                TVec.Store(y + offset, TVec.Epilogue<TEpilogue>(yr[c], bv, TEpilogue.ReadsResidual ? TVec.Load(residual + offset) : default));
        }
    }
}
