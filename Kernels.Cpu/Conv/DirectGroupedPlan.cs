using System.Runtime.CompilerServices;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// Direct convolution for narrow groups (ResNeXt's 4–8 channels per group, depthwise at the extreme), where
/// a GEMM per group has M of 4 and spends its time packing. One task per (image, group); each output plane
/// (small enough to stay in L1) starts as the bias and accumulates one weight × input row at a time —
/// vectorised along the output row (the platform's MultiplyAddRow) when the window moves one pixel per
/// output (column stride 1, no column dilation); then the residual and ReLU, through the platform's
/// epilogue. 2-D windows only (one depth plane in and out). Reads the weights as they are: nothing packed.
/// </summary>
internal sealed unsafe class DirectGroupedPlan(ConvShape shape, CpuPlatform platform, ParallelRunner parallel) : ConvPlan(shape, platform, parallel)
{
    /// <summary>Chosen over im2col + GEMM for groups narrower than this many output channels (see <see cref="ConvPlan.Choose"/>).</summary>
    public const int MaxChannelsPerGroup = 16;

    /// <summary>The windows this kernel computes: grouped, 2-D, unit column stride and dilation.</summary>
    public static bool Applies(in ConvShape s) =>
        s.Group > 1 && s.Window is { IsPlanar: true, SW: 1, DW: 1 };

    public override ConvAlgorithm Algorithm => ConvAlgorithm.DirectGrouped;

    public override long WorkspaceBytes => 0;

    public override void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        GemmConvPlan.CheckConvLengths(Shape, weightsPrepared: false, x, weight, bias, residual, y);
        fixed (float* px = x, pw = weight, pb = bias, py = y, pr = residual)
            Parallel.For(Shape.Batch * Shape.Group, new GroupBody(px, pw, bias.IsEmpty ? null : pb, py, Shape.Epilogue.Residual ? pr : null, Shape, Platform));
    }

    /// <summary>Loop body: every output channel of one (image, group).</summary>
    private readonly struct GroupBody(float* x, float* weight, float* bias, float* y, float* residual, ConvShape shape, CpuPlatform platform) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int task)
        {
            Window3D win = shape.Window;
            int cPerGroup = shape.ChannelsPerGroup, mPerGroup = shape.OutChannelsPerGroup;
            int n = task / shape.Group, g = task % shape.Group;
            int inPlane = win.InH * win.InW, outPlane = win.OutH * win.OutW, taps = win.KH * win.KW;
            bool epilogue = shape.Epilogue.Residual || shape.Epilogue.Relu;
            var finish = platform.EpilogueTile(shape.Epilogue);
            for (int mi = 0; mi < mPerGroup; mi++)
            {
                int m = g * mPerGroup + mi;
                float* o = y + ((long)n * shape.OutChannels + m) * outPlane;
                new Span<float>(o, outPlane).Fill(bias is null ? 0f : bias[m]);
                for (int ci = 0; ci < cPerGroup; ci++)
                {
                    float* input = x + ((long)n * shape.Channels + g * cPerGroup + ci) * inPlane;
                    float* kernel = weight + ((long)m * cPerGroup + ci) * taps;
                    for (int kh = 0; kh < win.KH; kh++)
                        for (int kw = 0; kw < win.KW; kw++)
                            AccumulateTap(input, o, kernel[kh * win.KW + kw], kh, kw, win, platform);
                }
                // The bias is already in the plane (it was the accumulators' start), so the epilogue adds none.
                if (epilogue) finish(o, outPlane, null, residual is null ? null : residual + ((long)n * shape.OutChannels + m) * outPlane, outPlane, 1, outPlane);
            }
        }
    }

    /// <summary>out[oh, ow] += weight · in[oh·SH − PH + kh·DH, ow − PW + kw] wherever that input exists.</summary>
    private static void AccumulateTap(float* input, float* output, float weight, int kh, int kw, in Window3D w, CpuPlatform platform)
    {
        int offset = kw - w.PadW;
        // Output columns whose input column lands inside the row: iw = ow + offset ∈ [0, InW).
        int first = Math.Max(0, -offset), last = Math.Min(w.OutW - 1, w.InW - 1 - offset);
        if (last < first) return;
        for (int oh = 0; oh < w.OutH; oh++)
        {
            int ih = oh * w.SH - w.PadH + kh * w.DH;
            if ((uint)ih >= (uint)w.InH) continue;
            // Lanes hold consecutive output columns; the input row is read at the same stride.
            platform.MultiplyAddRow(output + (long)oh * w.OutW + first, input + (long)ih * w.InW + offset + first, weight, last - first + 1);
        }
    }
}
