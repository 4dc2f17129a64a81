using System.Numerics;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Direct convolution for narrow groups (ResNeXt's 4–8 channels per group, depthwise at the extreme), where
/// a GEMM per group has M of 4 and spends its time packing. One task per (image, group); each output plane
/// (small enough to stay in L1) starts as the bias and accumulates one weight × input row at a time —
/// vectorised along the output row when the window moves one pixel per output (stride 1, no dilation).
/// 2-D windows only (D = 1); twin: <see cref="Reference.ConvReference"/>.
/// </summary>
public static class GroupedConvKernel
{
    /// <summary>
    /// Chosen over im2col + GEMM for groups narrower than this many output channels, 2-D windows, stride 1.
    /// Measured (Engine.Bench compare, ResNeXt-50 32x4d, batch 1, 1 thread, 2-core VM): with stride-2 layers
    /// included it lost (121 ms vs 108 ms: the strided path is scalar); stride 1 only, it is at parity
    /// (106–111 ms vs 108 ms) and needs no im2col workspace. See Engine.Bench/NOTES.md.
    /// </summary>
    public const int MaxChannelsPerGroup = 16;

    public static bool Applies(int group, int outChannels, in Window3D w) =>
        group > 1 && outChannels / group < MaxChannelsPerGroup && w.KD == 1 && w.InD == 1 && w.OutD == 1 && w.SW == 1 && w.DW == 1;

    public static unsafe void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int channels, int outChannels, int group, in Window3D w, ParallelRunner parallel, ReadOnlySpan<float> residual, bool relu)
    {
        fixed (float* px = x, pw = weight, pb = bias, py = y, pr = residual)
            parallel.For(batch * group, new GroupBody(px, pw, bias.IsEmpty ? null : pb, py, residual.IsEmpty ? null : pr,
                channels, outChannels, group, w, relu));
    }

    /// <summary>Loop body: every output channel of one (image, group).</summary>
    private readonly unsafe struct GroupBody(float* x, float* weight, float* bias, float* y, float* residual,
        int channels, int outChannels, int group, Window3D win, bool relu) : IParallelBody
    {
        public void Invoke(int task)
        {
            int cPerGroup = channels / group, mPerGroup = outChannels / group;
            int n = task / group, g = task % group;
            int inPlane = win.InH * win.InW, outPlane = win.OutH * win.OutW, taps = win.KH * win.KW;
            for (int mi = 0; mi < mPerGroup; mi++)
            {
                int m = g * mPerGroup + mi;
                float* o = y + ((long)n * outChannels + m) * outPlane;
                new Span<float>(o, outPlane).Fill(bias is null ? 0f : bias[m]);
                for (int ci = 0; ci < cPerGroup; ci++)
                {
                    float* input = x + ((long)n * channels + g * cPerGroup + ci) * inPlane;
                    float* kernel = weight + ((long)m * cPerGroup + ci) * taps;
                    for (int kh = 0; kh < win.KH; kh++)
                        for (int kw = 0; kw < win.KW; kw++)
                            AccumulateTap(input, o, kernel[kh * win.KW + kw], kh, kw, win);
                }
                if (residual is not null || relu) Epilogue(o, residual is null ? null : residual + ((long)n * outChannels + m) * outPlane, outPlane, relu);
            }
        }
    }

    /// <summary>out[oh, ow] += weight · in[oh·SH − PH + kh·DH, ow·SW − PW + kw·DW] wherever that input exists.</summary>
    private static unsafe void AccumulateTap(float* input, float* output, float weight, int kh, int kw, in Window3D w)
    {
        int offset = kw * w.DW - w.PadW;
        // Output columns whose input column lands inside the row: iw = ow·SW + offset ∈ [0, InW).
        int first = offset >= 0 ? 0 : (-offset + w.SW - 1) / w.SW;
        int last = w.InW - 1 - offset < 0 ? -1 : Math.Min(w.OutW - 1, (w.InW - 1 - offset) / w.SW);
        if (last < first) return;
        var wv = new Vector<float>(weight);
        int width = Vector<float>.Count;
        for (int oh = 0; oh < w.OutH; oh++)
        {
            int ih = oh * w.SH - w.PadH + kh * w.DH;
            if ((uint)ih >= (uint)w.InH) continue;
            float* src = input + (long)ih * w.InW + offset;
            float* dst = output + (long)oh * w.OutW;
            int ow = first;
            if (w.SW == 1)
            {
                // Lanes hold consecutive output columns; the input row is read at the same stride.
                for (; ow + width <= last + 1; ow += width)
                {
                    var acc = System.Runtime.CompilerServices.Unsafe.ReadUnaligned<Vector<float>>(dst + ow);
                    var v = System.Runtime.CompilerServices.Unsafe.ReadUnaligned<Vector<float>>(src + ow);
                    System.Runtime.CompilerServices.Unsafe.WriteUnaligned(dst + ow, Vector.MultiplyAddEstimate(v, wv, acc));
                }
            }
            for (; ow <= last; ow++) dst[ow] += weight * src[(long)ow * w.SW];
        }
    }

    private static unsafe void Epilogue(float* y, float* residual, int length, bool relu)
    {
        for (int i = 0; i < length; i++)
        {
            float v = y[i] + (residual is null ? 0f : residual[i]);
            y[i] = relu && v < 0 ? 0f : v;
        }
    }
}
