using Cardinal.Epilogues;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Reference;

/// <summary>The plain twin of every <see cref="ConvPlan"/>: direct convolution, one output element at a time.</summary>
internal static class ConvReference
{
    /// <param name="x">[N][C][InD·InH·InW]</param>
    /// <param name="weight">[M][C/group][KD·KH·KW]</param>
    /// <param name="y">[N][M][OutD·OutH·OutW]</param>
    /// <param name="bias">[M], or empty for none.</param>
    /// <param name="batch">N.</param>
    /// <param name="channels">C.</param>
    /// <param name="outChannels">M.</param>
    /// <param name="group">Groups; C and M are multiples of it.</param>
    /// <param name="w">The window geometry.</param>
    /// <param name="residual">Laid out as y, added before the ReLU; empty for none.</param>
    /// <param name="relu">Clamp at zero last.</param>
    public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, int batch, int channels, int outChannels, int group, in Window3D w,
        ReadOnlySpan<float> residual = default, bool relu = false)
    {
        int cPerGroup = channels / group, mPerGroup = outChannels / group;
        for (int n = 0; n < batch; n++)
            for (int m = 0; m < outChannels; m++)
            {
                int g = m / mPerGroup;
                for (int od = 0; od < w.OutD; od++)
                    for (int oh = 0; oh < w.OutH; oh++)
                        for (int ow = 0; ow < w.OutW; ow++)
                        {
                            double sum = 0;
                            for (int ci = 0; ci < cPerGroup; ci++)
                            {
                                int c = g * cPerGroup + ci;
                                for (int kd = 0; kd < w.KD; kd++)
                                    for (int kh = 0; kh < w.KH; kh++)
                                        for (int kw = 0; kw < w.KW; kw++)
                                        {
                                            int id = od * w.SD - w.PadD + kd * w.DD;
                                            int ih = oh * w.SH - w.PadH + kh * w.DH;
                                            int iw = ow * w.SW - w.PadW + kw * w.DW;
                                            if ((uint)id >= (uint)w.InD || (uint)ih >= (uint)w.InH || (uint)iw >= (uint)w.InW) continue;
                                            float xv = x[((n * channels + c) * w.InD + id) * w.InH * w.InW + ih * w.InW + iw];
                                            float wv = weight[((m * cPerGroup + ci) * w.KD + kd) * w.KH * w.KW + kh * w.KW + kw];
                                            sum += (double)xv * wv;
                                        }
                            }
                            int index = ((n * outChannels + m) * w.OutD + od) * w.OutH * w.OutW + oh * w.OutW + ow;
                            // The products are summed in double; bias, residual and ReLU are the shared epilogue's.
                            y[index] = EpilogueMath.Apply((float)sum, bias.IsEmpty ? 0f : bias[m], residual.IsEmpty ? 0f : residual[index], !residual.IsEmpty, relu);
                        }
            }
    }
}
