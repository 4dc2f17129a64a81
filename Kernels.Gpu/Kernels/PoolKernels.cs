using ILGPU;
using ILGPU.Algorithms;

namespace Cardinal.Kernels.Gpu.Kernels;

/// <summary>Max, average and global-average pooling: one thread per output element (global: per plane).</summary>
internal static class PoolKernels
{
    public static void Max(Index1D index, ArrayView<float> x, ArrayView<float> y, PoolParams p)
    {
        int outSize = p.OutD * p.OutH * p.OutW, inSize = p.InD * p.InH * p.InW;
        int plane = index / outSize, s = index % outSize;
        int ow = s % p.OutW, r = s / p.OutW, oh = r % p.OutH, od = r / p.OutH;
        long baseIndex = (long)plane * inSize;
        float best = Cardinal.Graph.Ops.MaxPoolPadding.Float; // a window wholly in the padding gives the padding
        bool nan = false;
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
                    float v = x[baseIndex + (id * p.InH + ih) * p.InW + iw];
                    if (XMath.IsNaN(v)) nan = true;
                    best = XMath.Max(best, v);
                }
            }
        }
        y[index] = nan ? float.NaN : best;
    }

    public static void Average(Index1D index, ArrayView<float> x, ArrayView<float> y, PoolParams p)
    {
        int outSize = p.OutD * p.OutH * p.OutW, inSize = p.InD * p.InH * p.InW;
        int plane = index / outSize, s = index % outSize;
        int ow = s % p.OutW, r = s / p.OutW, oh = r % p.OutH, od = r / p.OutH;
        long baseIndex = (long)plane * inSize;
        float sum = 0;
        int inside = 0, padded = 0;
        for (int kd = 0; kd < p.KD; kd++)
        {
            int id = od * p.SD - p.PD + kd * p.DD;
            bool dPad = id >= -p.PD && id < p.InD + p.PED, dIn = id >= 0 && id < p.InD;
            for (int kh = 0; kh < p.KH; kh++)
            {
                int ih = oh * p.SH - p.PH + kh * p.DH;
                bool hPad = ih >= -p.PH && ih < p.InH + p.PEH, hIn = ih >= 0 && ih < p.InH;
                for (int kw = 0; kw < p.KW; kw++)
                {
                    int iw = ow * p.SW - p.PW + kw * p.DW;
                    bool wPad = iw >= -p.PW && iw < p.InW + p.PEW, wIn = iw >= 0 && iw < p.InW;
                    if (dPad && hPad && wPad) padded++;
                    if (dIn && hIn && wIn)
                    {
                        sum += x[baseIndex + (id * p.InH + ih) * p.InW + iw];
                        inside++;
                    }
                }
            }
        }
        int divisor = p.CountIncludePad != 0 ? padded : inside;
        y[index] = divisor == 0 ? 0f : sum / divisor;
    }

    /// <summary>One thread per (image, channel) plane of <paramref name="size"/> elements.</summary>
    public static void GlobalAverage(Index1D plane, ArrayView<float> x, ArrayView<float> y, int size)
    {
        float sum = 0;
        long start = (long)(int)plane * size;
        for (int i = 0; i < size; i++) sum += x[start + i];
        y[plane] = sum / size;
    }
}
