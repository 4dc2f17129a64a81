using Cardinal.Kernels.Cpu.Conv;

namespace Cardinal.Testing;

/// <summary>
/// Direct convolution in double on channel-blocked values, for the Winograd accuracy figures of the tests
/// (WinogradAccuracyTests) and of Engine.Bench `winograd`: both report max |y − float64| / max |float64 output|.
/// </summary>
internal static class BlockedFloat64Reference
{
    /// <summary>
    /// The relative error of each of <paramref name="outputs"/> (blocked [Mp/b][OutH][OutW][b], first image) against
    /// the float64 convolution of <paramref name="xb"/> (blocked [Cp/b][InH][InW][b]), with the shape's bias, residual
    /// (blocked like y) and ReLU, over every <paramref name="channelStep"/>-th output channel. 2-D, any window; grouped layers read their group's input
    /// channels (weights [M][C/group][KH][KW]).
    /// </summary>
    public static double[] RelativeErrors(in ConvShape shape, int b, ReadOnlySpan<float> xb, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> residual, int channelStep, params float[][] outputs)
    {
        var w = shape.Window;
        int c = shape.ChannelsPerGroup, mg = shape.OutChannelsPerGroup, taps = w.KH * w.KW;
        double scale = 0;
        var worst = new double[outputs.Length];
        var sum = new double[w.OutSize];
        for (int m = 0; m < shape.OutChannels; m += channelStep)
        {
            Array.Clear(sum);
            int c0 = m / mg * c;
            for (int ci = 0; ci < c; ci++)
            {
                long inBase = (long)((c0 + ci) / b) * w.InSize * b + (c0 + ci) % b;
                for (int kh = 0; kh < w.KH; kh++)
                    for (int kw = 0; kw < w.KW; kw++)
                    {
                        double g = weight[(m * c + ci) * taps + kh * w.KW + kw];
                        for (int oh = 0; oh < w.OutH; oh++)
                        {
                            int ih = oh * w.SH - w.PadH + kh * w.DH;
                            if ((uint)ih >= (uint)w.InH) continue;
                            for (int ow = 0; ow < w.OutW; ow++)
                            {
                                int iw = ow * w.SW - w.PadW + kw * w.DW;
                                if ((uint)iw < (uint)w.InW) sum[oh * w.OutW + ow] += g * xb[(int)(inBase + ((long)ih * w.InW + iw) * b)];
                            }
                        }
                    }
            }
            for (int p = 0; p < w.OutSize; p++)
            {
                int at = (int)(((long)(m / b) * w.OutSize + p) * b + m % b);
                double s = sum[p] + (bias.Length > 0 ? bias[m] : 0) + (shape.Epilogue.Residual ? residual[at] : 0);
                if (shape.Epilogue.Relu) s = Math.Max(s, 0);
                scale = Math.Max(scale, Math.Abs(s));
                for (int o = 0; o < outputs.Length; o++) worst[o] = Math.Max(worst[o], Math.Abs(outputs[o][at] - s));
            }
        }
        return [.. worst.Select(e => e / scale)];
    }
}
