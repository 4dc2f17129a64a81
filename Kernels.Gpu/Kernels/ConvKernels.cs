using Cardinal.Epilogues;
using ILGPU;
using ILGPU.Algorithms;

namespace Cardinal.Kernels.Gpu.Kernels;

/// <summary>
/// Convolution on the device. Both kernels apply the fused epilogue — bias, residual add, ReLU — in the
/// store, so a ResNet block's tail costs no extra pass over memory.
/// </summary>
internal static class ConvKernels
{
    /// <summary>Output tile: TileM output channels × TileP output pixels per group of threads.</summary>
    public const int TileM = 32, TileP = 32, TileK = 16, Threads = 64;

    /// <summary>
    /// Implicit-GEMM convolution, tiled through shared memory with register blocking, no im2col buffer:
    /// per group g, Y[m, p] = Σ_k W[m, k] · X̂[k, p] where X̂ (the unfolded input) is gathered on the fly.
    /// Grid (⌈P/32⌉, ⌈M/g/32⌉, groups); 64 threads, each owning a 4×4 block of the 32×32 output tile.
    /// Each K step stages W[32 rows × 16] and X̂[16 × 32 columns] in shared memory (8 elements per thread each).
    /// </summary>
    public static void ImplicitGemm(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> residual, ArrayView<float> y, ConvParams p)
    {
        var tileW = SharedMemory.Allocate<float>(TileK * TileM);
        var tileX = SharedMemory.Allocate<float>(TileK * TileP);
        int tid = Group.IdxX;
        int pBase = Grid.IdxX * TileP, mBase = Grid.IdxY * TileM, g = Grid.IdxZ;
        int tx = tid % 8, ty = tid / 8; // tx: 4 pixels each, ty: 4 channels each

        float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
        float a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
        int outSpatial = p.OutD * p.OutH * p.OutW;

        for (int k0 = 0; k0 < p.K; k0 += TileK)
        {
            for (int e = 0; e < TileK * TileM / Threads; e++)
            {
                int linear = tid + e * Threads;
                int kk = linear / TileM, mm = linear % TileM;
                int m = mBase + mm, k = k0 + kk;
                tileW[kk * TileM + mm] = m < p.MPerGroup && k < p.K ? w[(long)(g * p.MPerGroup + m) * p.K + k] : 0f;
            }
            for (int e = 0; e < TileK * TileP / Threads; e++)
            {
                int linear = tid + e * Threads;
                int kk = linear / TileP, pp = linear % TileP;
                int pixel = pBase + pp, k = k0 + kk;
                tileX[kk * TileP + pp] = pixel < p.P && k < p.K ? Gather(x, p, g, k, pixel, outSpatial) : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < TileK; kk++)
            {
                float w0 = tileW[kk * TileM + ty * 4], w1 = tileW[kk * TileM + ty * 4 + 1];
                float w2 = tileW[kk * TileM + ty * 4 + 2], w3 = tileW[kk * TileM + ty * 4 + 3];
                float x0 = tileX[kk * TileP + tx * 4], x1 = tileX[kk * TileP + tx * 4 + 1];
                float x2 = tileX[kk * TileP + tx * 4 + 2], x3 = tileX[kk * TileP + tx * 4 + 3];
                a00 += w0 * x0; a01 += w0 * x1; a02 += w0 * x2; a03 += w0 * x3;
                a10 += w1 * x0; a11 += w1 * x1; a12 += w1 * x2; a13 += w1 * x3;
                a20 += w2 * x0; a21 += w2 * x1; a22 += w2 * x2; a23 += w2 * x3;
                a30 += w3 * x0; a31 += w3 * x1; a32 += w3 * x2; a33 += w3 * x3;
            }
            Group.Barrier();
        }

        int m0 = mBase + ty * 4, p0 = pBase + tx * 4;
        Store(y, bias, residual, p, g, m0, p0, outSpatial, a00, a01, a02, a03);
        Store(y, bias, residual, p, g, m0 + 1, p0, outSpatial, a10, a11, a12, a13);
        Store(y, bias, residual, p, g, m0 + 2, p0, outSpatial, a20, a21, a22, a23);
        Store(y, bias, residual, p, g, m0 + 3, p0, outSpatial, a30, a31, a32, a33);
    }

    /// <summary>X̂[k, pixel]: the input tap that column <paramref name="pixel"/> reads at depth <paramref name="k"/> (0 in padding).</summary>
    private static float Gather(ArrayView<float> x, ConvParams p, int g, int k, int pixel, int outSpatial)
    {
        int kw = k % p.KW, t = k / p.KW;
        int kh = t % p.KH; t /= p.KH;
        int kd = t % p.KD, ci = t / p.KD;
        int n = pixel / outSpatial, s = pixel % outSpatial;
        int ow = s % p.OutW; s /= p.OutW;
        int oh = s % p.OutH, od = s / p.OutH;
        int id = od * p.SD - p.PD + kd * p.DD, ih = oh * p.SH - p.PH + kh * p.DH, iw = ow * p.SW - p.PW + kw * p.DW;
        if (id < 0 || id >= p.InD || ih < 0 || ih >= p.InH || iw < 0 || iw >= p.InW) return 0f;
        long c = (long)n * p.C + g * p.CPerGroup + ci;
        return x[((c * p.InD + id) * p.InH + ih) * p.InW + iw];
    }

    /// <summary>Stores one row of a thread's 4×4 block: bias, residual, ReLU, then the write (edges masked).</summary>
    private static void Store(ArrayView<float> y, ArrayView<float> bias, ArrayView<float> residual, ConvParams p,
        int g, int m, int p0, int outSpatial, float v0, float v1, float v2, float v3)
    {
        if (m >= p.MPerGroup) return;
        int channel = g * p.MPerGroup + m;
        float b = p.HasBias != 0 ? bias[channel] : 0f;
        StoreOne(y, residual, p, channel, p0, outSpatial, v0, b);
        StoreOne(y, residual, p, channel, p0 + 1, outSpatial, v1, b);
        StoreOne(y, residual, p, channel, p0 + 2, outSpatial, v2, b);
        StoreOne(y, residual, p, channel, p0 + 3, outSpatial, v3, b);
    }

    /// <summary>The shared epilogue's scalar form (Cardinal.Epilogues), as the CPU's tile store applies it.</summary>
    private static void StoreOne(ArrayView<float> y, ArrayView<float> residual, ConvParams p, int channel, int pixel, int outSpatial, float acc, float bias)
    {
        if (pixel >= p.P) return;
        int n = pixel / outSpatial, s = pixel % outSpatial;
        long index = ((long)n * p.M + channel) * outSpatial + s;
        y[index] = EpilogueMath.Apply(acc, bias, p.HasResidual != 0 ? residual[index] : 0f, p.HasResidual != 0, p.Relu != 0);
    }

    /// <summary>
    /// Direct grouped convolution, one thread per output element: for ResNeXt's narrow groups (a few
    /// channels per group) and depthwise, where a 32-wide GEMM tile would mostly compute padding.
    /// </summary>
    public static void Direct(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> residual, ArrayView<float> y, ConvParams p)
    {
        int outSpatial = p.OutD * p.OutH * p.OutW;
        int s = index % outSpatial, t = index / outSpatial;
        int channel = t % p.M, n = t / p.M;
        int ow = s % p.OutW, r = s / p.OutW;
        int oh = r % p.OutH, od = r / p.OutH;
        int g = channel / p.MPerGroup;
        float sum = p.HasBias != 0 ? bias[channel] : 0f;
        for (int ci = 0; ci < p.CPerGroup; ci++)
        {
            long plane = ((long)n * p.C + g * p.CPerGroup + ci) * p.InD;
            long wBase = ((long)channel * p.CPerGroup + ci) * p.KD * p.KH * p.KW;
            for (int kd = 0; kd < p.KD; kd++)
            {
                int id = od * p.SD - p.PD + kd * p.DD;
                if (id < 0 || id >= p.InD) continue;
                for (int kh = 0; kh < p.KH; kh++)
                {
                    int ih = oh * p.SH - p.PH + kh * p.DH;
                    if (ih < 0 || ih >= p.InH) continue;
                    for (int kw = 0; kw < p.KW; kw++)
                    {
                        int iw = ow * p.SW - p.PW + kw * p.DW;
                        if (iw < 0 || iw >= p.InW) continue;
                        sum += x[((plane + id) * p.InH + ih) * p.InW + iw] * w[wBase + (kd * p.KH + kh) * p.KW + kw];
                    }
                }
            }
        }
        // The bias started the sum (as on the CPU's direct grouped kernel), so the epilogue adds none.
        y[index] = EpilogueMath.Apply(sum, 0f, p.HasResidual != 0 ? residual[index] : 0f, p.HasResidual != 0, p.Relu != 0);
    }
}
