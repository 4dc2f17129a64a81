using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// A network's first convolution (the RGB stem: 3 channels, 7×7, stride 2) read straight from the NCHW image, as
/// MLAS's NCHW-input NCHWc kernel does, with its kernel columns folded into the channels: each output column ow gets
/// the C·KW values x[c][ih][ow·SW + kw − PadW] as the channels c·KW + kw of a folded input X' [N][⌈C·KW/b⌉][InH][OutW][b]
/// (made per run in the workspace), and <see cref="BlockedDirectPlan"/> convolves X' with a KH×1 window, stride
/// (SH, 1), by the folded filter W'[m][c·KW + kw][kh] = W[m][c][kh][kw] (folded once, in the packed-weights cache).
/// Why: blocked, the stem read 3 real channels of a 16-lane block per tap (49 taps of 3 multiply-adds each, 2
/// border columns per row one pixel at a time) from a 16-lane copy of the image 5× its size, made by a reorder step;
/// folded, each of its 7 taps sums 21 channels in 2 blocks, no column is a border, and the reorder is gone.
/// Measured in NOTES "The folded stem". The sums are the same products in another order (direct summation still).
/// Twin: <see cref="Reference.ConvReference"/> (FoldedStemTests).
/// </summary>
internal sealed unsafe class FoldedStemPlan : ConvPlan
{
    private readonly BlockedDirectPlan _inner;
    private readonly int _block, _lanes, _foldedBlocks;
    private readonly ConvShape _folded;

    /// <summary>
    /// One group, 2-D, fewer input channels than a block (a partial block: the image), kernel columns at unit dilation,
    /// and at most 4 folded blocks (C·KW ≤ 4b).
    /// </summary>
    public static bool Supports(in ConvShape shape, int block)
    {
        var w = shape.Window;
        return block > 0 && shape.Group == 1 && w.IsPlanar && shape.Channels < block && w.KW > 1 && w.DW == 1
            && shape.Channels * w.KW <= 4 * block && w.KW <= 16;
    }

    /// <param name="shape">The logical shape; x is NCHW [N][C][InH][InW], y blocked [N][Mp/b][OutH][OutW][b].</param>
    /// <param name="weights">[M][C][KH][KW], folded and packed once (or taken from <paramref name="cache"/>).</param>
    /// <param name="platform">The tier whose block size and register tiles run.</param>
    /// <param name="parallel">The backend's threads.</param>
    /// <param name="cache">The backend's packed weights (the folded filter and its packed form), or null for private copies.</param>
    public FoldedStemPlan(ConvShape shape, Tensor weights, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache = null)
        : base(shape, platform, parallel)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _block = platform.BlockSize;
        if (!Supports(shape, _block)) throw new ArgumentException($"The folded stem takes one-group 2-D layers with fewer channels than the block {_block} and C·KW ≤ {4 * _block}; {shape} is not one.", nameof(shape));
        if (weights.Length != shape.WeightLength) throw new ArgumentException($"Weights hold {weights.Length} values; {shape} needs {shape.WeightLength}.", nameof(weights));
        var w = shape.Window;
        _lanes = shape.Channels * w.KW;
        _foldedBlocks = (_lanes + _block - 1) / _block;
        _folded = shape with { Channels = _lanes, Window = w with { InW = w.OutW, KW = 1, SW = 1, DW = 1, PadW = 0, PadEndW = 0 } };
        ConvShape s = shape;
        Tensor folded = cache?.GetOrAdd(weights, ConvAlgorithm.BlockedDirect, "folded stem", shape, platform, () => FoldFilter(weights, s)) ?? FoldFilter(weights, shape);
        _inner = new BlockedDirectPlan(_folded, folded, platform, parallel, cache);
    }

    /// <summary>W [M][C][KH][KW] → W' [M][C·KW][KH][1], W'[m][c·KW + kw][kh] = W[m][c][kh][kw].</summary>
    private static Tensor FoldFilter(Tensor weights, in ConvShape shape)
    {
        var w = shape.Window;
        int m = shape.OutChannels, c = shape.Channels, kh = w.KH, kw = w.KW;
        ReadOnlySpan<float> src = weights.Floats;
        var dst = new float[shape.WeightLength];
        for (int o = 0; o < m; o++)
            for (int ic = 0; ic < c; ic++)
                for (int r = 0; r < kh; r++)
                    for (int q = 0; q < kw; q++)
                        dst[((long)(o * c + ic) * kw + q) * kh + r] = src[((o * c + ic) * kh + r) * kw + q];
        return Tensor.FromArray(dst, m, c * kw, kh, 1);
    }

    public override ConvAlgorithm Algorithm => ConvAlgorithm.BlockedDirect;

    public override string Description => $"{_inner.Description}, NCHW stem folded ({Shape.Channels}×{Shape.Window.KW} columns into {_foldedBlocks} blocks)";

    public override bool HoldsPackedWeights => true;

    private long FoldedFloats => (long)Shape.Batch * _foldedBlocks * _folded.Window.InH * _folded.Window.InW * _block;

    public override long WorkspaceBytes => Workspace.Align(FoldedFloats * sizeof(float)) + _inner.WorkspaceBytes;

    /// <summary>Floats in the blocked output (and residual) [N][Mp/b][OutH][OutW][b].</summary>
    public long BlockedOutputLength => _inner.BlockedOutputLength;

    /// <param name="x">NCHW [N][C][InH][InW].</param>
    /// <param name="weight">Not read: the plan holds its folded, packed copy.</param>
    /// <param name="bias">[M], or empty for none.</param>
    /// <param name="residual">Blocked like y, read when the shape's epilogue has one.</param>
    /// <param name="y">Blocked [N][Mp/b][OutH][OutW][b].</param>
    /// <param name="workspace">At least <see cref="WorkspaceBytes"/>: the folded input, then the inner plan's.</param>
    public override void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        if (x.Length < Shape.InputLength) throw new ArgumentException($"Folded stem {Shape}: x {x.Length} elements (needs {Shape.InputLength}).");
        if (workspace.Bytes < WorkspaceBytes) throw new ArgumentException($"{Description} needs {WorkspaceBytes} bytes of workspace; {workspace.Bytes} were given.");
        long foldedBytes = Workspace.Align(FoldedFloats * sizeof(float));
        float* folded = workspace.Floats(0, FoldedFloats);
        var w = Shape.Window;
        fixed (float* px = x)
            Parallel.For(Shape.Batch * w.InH, new FoldBody(px, folded, Shape.Channels, w, _block, _foldedBlocks));
        _inner.Run(new ReadOnlySpan<float>(folded, checked((int)FoldedFloats)), default, bias, residual, y,
            new Workspace(workspace.Pointer + foldedBytes, workspace.Bytes - foldedBytes));
    }

    /// <summary>One input row (image n, row ih) of every channel into the folded row X'[n][·][ih][0..OutW)[·].</summary>
    private readonly struct FoldBody(float* x, float* folded, int channels, Window3D w, int block, int foldedBlocks) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int row)
        {
            int n = row / w.InH, ih = row % w.InH, kw = w.KW;
            // One output column's folded channels, built here then stored block by block.
            float* pixel = stackalloc float[4 * 16 + 16];
            new Span<float>(pixel, 4 * 16 + 16).Clear();
            float* src = x + ((long)n * channels * w.InH + ih) * w.InW;
            long plane = (long)w.InH * w.OutW * block;
            float* dst = folded + (long)n * foldedBlocks * plane + (long)ih * w.OutW * block;
            for (int ow = 0; ow < w.OutW; ow++)
            {
                int iw0 = ow * w.SW - w.PadW;
                if (iw0 >= 0 && iw0 + 16 <= w.InW)
                {
                    // Interior: each channel's KW columns are contiguous; one 16-float copy each (two 256-bit halves: the
                    // fold runs on AVX2 too), in channel order, so the next channel overwrites what one spilled past its
                    // KW lanes. The last one's spill lands in lanes past C·KW, which the kernel never reads (it reads only
                    // the real channels of the last folded block).
                    for (int c = 0; c < channels; c++)
                    {
                        float* from = src + (long)c * w.InH * w.InW + iw0, to = pixel + c * kw;
                        Vector256.Store(Vector256.Load(from), to);
                        Vector256.Store(Vector256.Load(from + 8), to + 8);
                    }
                }
                else
                    for (int c = 0; c < channels; c++)
                        for (int q = 0; q < kw; q++)
                        {
                            int iw = iw0 + q;
                            pixel[c * kw + q] = iw >= 0 && iw < w.InW ? src[(long)c * w.InH * w.InW + iw] : 0f;
                        }
                for (int fb = 0; fb < foldedBlocks; fb++)
                {
                    float* to = dst + fb * plane + (long)ow * block, from = pixel + fb * block;
                    for (int i = 0; i < block; i += 8) Vector256.Store(Vector256.Load(from + i), to + i);
                }
            }
        }
    }
}
