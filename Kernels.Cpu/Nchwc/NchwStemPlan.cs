using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cardinal.Epilogues;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// A network's first convolution (the RGB stem) read straight from the NCHW image with no copy, as MLAS's NCHW-input
/// NCHWc kernel does: a register tile of up to 6 output pixels along a row × 4 output blocks; for each input channel,
/// kernel row and column it broadcasts the tile's pixels' input values (a stride apart in the image row) and
/// multiplies 4 weight vectors. Every multiply-add is a true one (C·KH·KW per output), and the image is read in place
/// where <see cref="FoldedStemPlan"/> first wrote a 16-lane folded copy 5× its size (3.2 MB for 224²) that the kernel
/// then read back (NOTES "The NCHW-input stem"). Rows clamp their kernel rows; interior columns go in tiles, border
/// columns one pixel at a time with clamped kernel columns. AVX-512 (the folded stem stays AVX2's). Output blocked
/// [N][Mp/16][OutH][OutW][16], padded channels 0. Twin: <see cref="Reference.ConvReference"/> (NchwStemTests).
/// </summary>
internal sealed unsafe partial class NchwStemPlan : ConvPlan
{
    private const int Block = 16, TilePixels = 6, TileBlocks = 4;
    private readonly int _outBlocks, _groups, _interiorLo, _interiorHi;
    private readonly Window3D _w;
    /// <summary>Per output group of up to 4 blocks (r of them): [C][KH][KW][r·16], zero past M.</summary>
    private readonly float[] _filter;
    private readonly float[] _zeroBias;

    /// <summary>AVX-512, one group, 2-D, fewer input channels than a block (the image, not a blocked value).</summary>
    public static bool Supports(in ConvShape shape, CpuPlatform platform) =>
        platform.Isa == CpuIsa.Avx512 && platform.BlockSize == Block && shape.Group == 1 && shape.Window.IsPlanar && shape.Channels < Block;

    /// <param name="shape">The logical shape; x is NCHW [N][C][InH][InW].</param>
    /// <param name="weights">[M][C][KH][KW], packed here once (or taken from <paramref name="cache"/>).</param>
    /// <param name="platform">An AVX-512 tier.</param>
    /// <param name="parallel">The backend's threads.</param>
    /// <param name="cache">The backend's packed weights, or null for a private copy.</param>
    public NchwStemPlan(ConvShape shape, Tensor weights, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache = null)
        : base(shape, platform, parallel)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!Supports(shape, platform)) throw new ArgumentException($"The NCHW-input stem takes one-group 2-D layers with fewer than {Block} channels on AVX-512; {shape} on {platform} is not one.", nameof(shape));
        if (weights.Length != shape.WeightLength) throw new ArgumentException($"Weights hold {weights.Length} values; {shape} needs {shape.WeightLength}.", nameof(weights));
        _w = shape.Window;
        _outBlocks = BlockedLayout.PaddedChannels(shape.OutChannels, Block) / Block;
        _groups = (_outBlocks + TileBlocks - 1) / TileBlocks;
        (_interiorLo, _interiorHi) = WindowTaps.InteriorColumns(_w);
        int outBlocks = _outBlocks;
        ConvShape s = shape;
        _filter = cache is null ? Pack(weights.Floats, s, outBlocks)
            : cache.GetOrAdd(weights, ConvAlgorithm.BlockedDirect, "NCHW stem", shape, platform, () => Pack(weights.Floats, s, outBlocks));
        _zeroBias = GC.AllocateArray<float>(_outBlocks * Block, pinned: true);
    }

    /// <summary>src [M][C][KH][KW] → per group g of r ≤ 4 output blocks, at g·4·C·KH·KW·16: [C][KH][KW][r·16].</summary>
    private static float[] Pack(ReadOnlySpan<float> src, in ConvShape shape, int outBlocks)
    {
        int c = shape.Channels, taps = shape.Window.KH * shape.Window.KW;
        var dst = GC.AllocateArray<float>(checked(outBlocks * Block * c * taps), pinned: true);
        for (int ob0 = 0; ob0 < outBlocks; ob0 += TileBlocks)
        {
            int r = Math.Min(TileBlocks, outBlocks - ob0), lanes = r * Block;
            long group = (long)ob0 * Block * c * taps;
            for (int lane = 0; lane < lanes; lane++)
            {
                int m = ob0 * Block + lane;
                if (m >= shape.OutChannels) continue;
                for (int ic = 0; ic < c; ic++)
                    for (int t = 0; t < taps; t++)
                        dst[group + ((long)ic * taps + t) * lanes + lane] = src[(m * c + ic) * taps + t];
            }
        }
        return dst;
    }

    public override ConvAlgorithm Algorithm => ConvAlgorithm.BlockedDirect;

    public override string Description => $"blocked direct NCHW16c, {TilePixels}×{TileBlocks} pixels×blocks, read from the NCHW image";

    public override bool HoldsPackedWeights => true;

    public override long WorkspaceBytes => 0;

    /// <summary>Floats in the blocked output (and residual) [N][Mp/16][OutH][OutW][16].</summary>
    public long BlockedOutputLength => (long)Shape.Batch * _outBlocks * Block * _w.OutSize;

    private int Tasks => Shape.Batch * _groups * _w.OutH;

    /// <param name="x">NCHW [N][C][InH][InW].</param>
    /// <param name="weight">Not read: the plan holds its packed copy.</param>
    /// <param name="bias">[M], or empty for none.</param>
    /// <param name="residual">Blocked like y, read when the shape's epilogue has one.</param>
    /// <param name="y">Blocked [N][Mp/16][OutH][OutW][16], written in full (padded channels 0).</param>
    /// <param name="workspace">Not used.</param>
    public override void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        if (x.Length < Shape.InputLength || y.Length < BlockedOutputLength || (!bias.IsEmpty && bias.Length < Shape.OutChannels)
            || (Shape.Epilogue.Residual && residual.Length < BlockedOutputLength))
            throw new ArgumentException($"NCHW-input stem {Shape}: x {x.Length} (needs {Shape.InputLength}), bias {bias.Length}, residual {residual.Length}, " +
                $"y {y.Length} (needs {BlockedOutputLength}) elements.");
        if (Tasks == 0) return;
        int mp = _outBlocks * Block;
        Span<float> scratch = !BlockedBias.NeedsCopy(bias, mp) ? default : mp <= 4096 ? stackalloc float[mp] : new float[mp];
        ReadOnlySpan<float> b = BlockedBias.Select(bias, Shape.OutChannels, _zeroBias, scratch);
        fixed (float* px = x, pb = b, pr = residual, py = y, pf = _filter)
        {
            var body = new Body(this, px, pf, pb, Shape.Epilogue.Residual ? pr : null, py);
            EpilogueDispatch.Run(Shape.Epilogue, new RunTasks(Parallel, Tasks, body));
        }
    }

    /// <summary>Strides (in floats) and counts the kernels read; one per task, on its stack.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StemArgs
    {
        public nint Channels, ChannelStride, RowStep, ColStep, PixelStep, KH, KW, OutBlockStride;
    }

    private readonly struct Body(NchwStemPlan plan, float* x, float* filter, float* bias, float* residual, float* y)
    {
        public readonly NchwStemPlan Plan = plan;
        public readonly float* X = x, Filter = filter, Bias = bias, Residual = residual, Y = y;
    }

    private readonly struct Task<TEpilogue>(Body body) : IParallelBody where TEpilogue : struct, IEpilogue
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int task) => body.Plan.RunRow<TEpilogue>(task, body);
    }

    /// <summary>The run's tasks with the layer's epilogue type (<see cref="EpilogueDispatch"/>).</summary>
    private readonly struct RunTasks(ParallelRunner parallel, int tasks, Body body) : IEpilogueAction
    {
        public void Run<TEpilogue>() where TEpilogue : struct, IEpilogue => parallel.For(tasks, new Task<TEpilogue>(body));
    }

    /// <summary>One task: output row oh of one image, for one group of up to 4 output blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunRow<TEpilogue>(int task, in Body body) where TEpilogue : struct, IEpilogue
    {
        Window3D w = _w;
        int oh = task % w.OutH; task /= w.OutH;
        int group = task % _groups, n = task / _groups;
        int c = Shape.Channels, ob0 = group * TileBlocks, r = Math.Min(TileBlocks, _outBlocks - ob0);
        long inPlane = (long)w.InH * w.InW, outPlane = (long)w.OutH * w.OutW * Block;
        var args = new StemArgs
        {
            Channels = c, ChannelStride = (nint)inPlane, RowStep = (nint)((long)w.DH * w.InW), ColStep = w.DW,
            PixelStep = w.SW, KH = w.KH, KW = w.KW, OutBlockStride = (nint)outPlane,
        };
        int ih0 = oh * w.SH - w.PadH;
        (int khLo, int khCount) = WindowTaps.Inside(ih0, w.DH, w.KH, w.InH);
        long tapFloats = (long)r * Block;
        float* xRow = body.X + (long)n * c * inPlane + (long)(ih0 + khLo * w.DH) * w.InW;
        float* filter = body.Filter + (long)ob0 * Block * c * w.KH * w.KW + (long)khLo * w.KW * tapFloats;
        long yRow = ((long)n * _outBlocks + ob0) * outPlane + (long)oh * w.OutW * Block;
        float* bias = body.Bias + ob0 * Block;
        int lo = _interiorLo, hi = _interiorHi;
        (int tileBase, int wider) = WindowTaps.NearEqualTiles(hi - lo, TilePixels);
        for (int ow = 0; ow < w.OutW;)
        {
            float* y = body.Y + yRow + (long)ow * Block;
            float* residual = body.Residual is null ? null : body.Residual + yRow + (long)ow * Block;
            int iw0 = ow * w.SW - w.PadW;
            if (ow >= lo && ow < hi)
            {
                int p = tileBase + (wider-- > 0 ? 1 : 0);
                Tile_Avx512<TEpilogue>(p, r, xRow + iw0, filter, y, residual, bias, &args, khCount, w.KW);
                ow += p;
                continue;
            }
            (int kwLo, int kwCount) = WindowTaps.Inside(iw0, w.DW, w.KW, w.InW);
            Tile_Avx512<TEpilogue>(1, r, xRow + iw0 + kwLo * w.DW, filter + kwLo * tapFloats, y, residual, bias, &args, khCount, kwCount);
            ow++;
        }
    }
}
