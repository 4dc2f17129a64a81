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
/// Grouped convolution with groups narrower than the block (ResNeXt 32x4d's 4 and 8 channels per group at b = 16) on
/// the blocked layout, doing only the true multiply-adds: the "diagonal" method. Every lane of a block is its own
/// channel and every group lies inside one block, so input block k feeds output block k alone. For a group width g,
/// rotation r ∈ [0, g) pairs input lane c with output lane base(c) + (c − r) mod g; accumulator r sums
/// W_r ⊙ x over the taps with plain FMAs on the unshuffled input (W_r[c] is that pair's weight), and at the store the
/// output is Σ_r P_r(acc_r), P_r the in-group rotation that brings each output lane's partner back: g FMAs per input
/// vector and tap where the block-diagonal dense kernel (<see cref="BlockedDirectPlan"/>, this plan's twin and the
/// fallback) does b, and g − 1 permutes per output pixel. Register tiles on AVX-512: up to 6 pixels × 4 rotations
/// (g = 4) or 3 × 8 (g = 8), 24 accumulators; on AVX2 (b = 8, groups of 4 only: a group of 8 is the whole block, where
/// the dense kernel is already exact) 2 pixels × 4 rotations. Rows clamp their kernel rows; interior columns go in
/// tiles, border columns one pixel at a time with clamped kernel columns.
/// </summary>
internal sealed unsafe partial class GroupedDiagonalPlan : ConvPlan
{
    /// <summary>
    /// The widest tile: AVX-512, accumulators = pixels × width ≤ 24 of the 32 zmm registers; AVX2, 2 pixels × 4
    /// rotations (8 of the 16 ymm registers, enough multiply-adds in flight for the two FMA pipes).
    /// </summary>
    private int MaxPixels => _block == 8 ? 2 : _width == 4 ? 6 : 3;

    private readonly int _block, _width, _blocks, _rowsPerTask, _bands, _interiorLo, _interiorHi;
    private readonly Window3D _w;
    /// <summary>[Cp/16][KH][KW][g rotations][16 lanes]: W_r for every block and tap (zero for padded channels).</summary>
    private readonly float[] _filter;
    private readonly float[] _zeroBias;

    /// <summary>
    /// Whether the diagonal kernel runs this shape on this tier: 2-D, as many channels per group in as out, and groups
    /// narrower than the block: 4 or 8 on AVX-512 (b = 16), 4 on AVX2 (b = 8; a group of 8 is the whole block there,
    /// where the dense kernel is already exact).
    /// </summary>
    public static bool Supports(in ConvShape shape, CpuPlatform platform) =>
        shape.Window.IsPlanar && shape.Group > 1 && shape.ChannelsPerGroup == shape.OutChannelsPerGroup
        && (platform.Isa == CpuIsa.Avx512 && platform.BlockSize == 16 && shape.ChannelsPerGroup is 4 or 8
            || platform.Isa == CpuIsa.Avx2 && platform.BlockSize == 8 && shape.ChannelsPerGroup == 4);

    /// <param name="shape">The logical shape (channels as the model has them).</param>
    /// <param name="weights">[M][g][KH][KW], packed here once (or taken from <paramref name="cache"/>).</param>
    /// <param name="platform">An AVX-512 tier (<see cref="Supports"/>).</param>
    /// <param name="parallel">The backend's threads.</param>
    /// <param name="cache">The backend's packed weights, or null for a private copy.</param>
    public GroupedDiagonalPlan(ConvShape shape, Tensor weights, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache = null)
        : base(shape, platform, parallel)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!Supports(shape, platform)) throw new ArgumentException($"The diagonal grouped kernel takes groups of 4 or 8 channels on AVX-512; {shape} on {platform} is not one.", nameof(shape));
        if (weights.Length != shape.WeightLength) throw new ArgumentException($"Weights hold {weights.Length} values; {shape} needs {shape.WeightLength}.", nameof(weights));
        _width = shape.ChannelsPerGroup;
        _block = platform.BlockSize;
        _blocks = BlockedLayout.PaddedChannels(shape.Channels, _block) / _block;
        _w = shape.Window;
        (_interiorLo, _interiorHi) = WindowTaps.InteriorColumns(_w);
        // Bands of rows per task: each (image, block) pair's rows cut into about 8 tasks per thread over the run, so a
        // descheduled thread's share is small; never depends on the batch, so the plan is the same at every size.
        int pairs = Math.Max(1, _blocks);
        int bands = Math.Clamp((8 * parallel.Threads + pairs - 1) / pairs, 1, Math.Max(1, _w.OutH));
        _rowsPerTask = (_w.OutH + bands - 1) / bands;
        _bands = _w.OutH == 0 ? 0 : (_w.OutH + _rowsPerTask - 1) / _rowsPerTask;
        int width = _width, blocks = _blocks, block = _block;
        ConvShape s = shape;
        _filter = cache is null ? Pack(weights.Floats, s, width, blocks, block)
            : cache.GetOrAdd(weights, ConvAlgorithm.GroupedDiagonal, shape, platform, () => Pack(weights.Floats, s, width, blocks, block));
        _zeroBias = GC.AllocateArray<float>(_blocks * _block, pinned: true);
    }

    /// <summary>
    /// src [M][g][KH][KW] → [Cp/b][KH][KW][r][b]: lane c of rotation r holds the weight from input channel c to output
    /// channel base(c) + (c − r) mod g of its group (0 past the channel count).
    /// </summary>
    private static float[] Pack(ReadOnlySpan<float> src, in ConvShape shape, int g, int blocks, int b)
    {
        int kh = shape.Window.KH, kw = shape.Window.KW, taps = kh * kw;
        var dst = GC.AllocateArray<float>(checked(blocks * taps * g * b), pinned: true);
        for (int ob = 0; ob < blocks; ob++)
            for (int t = 0; t < taps; t++)
                for (int r = 0; r < g; r++)
                    for (int c = 0; c < b; c++)
                    {
                        int channel = ob * b + c, i = c % g;
                        int m = ob * b + c / g * g + (i - r + g) % g;
                        if (channel >= shape.Channels || m >= shape.OutChannels) continue;
                        dst[((ob * taps + t) * g + r) * b + c] = src[(m * g + i) * taps + t];
                    }
        return dst;
    }

    public override ConvAlgorithm Algorithm => ConvAlgorithm.GroupedDiagonal;

    public override string Description => $"diagonal grouped NCHW{_block}c, groups of {_width}, {MaxPixels} pixels × {_width} rotations";

    public override bool HoldsPackedWeights => true;

    public override bool OutputMayBeResidual => true;

    public override long WorkspaceBytes => 0;

    /// <summary>Floats in the blocked input [N][Cp/16][InH][InW][16].</summary>
    public long BlockedInputLength => (long)Shape.Batch * _blocks * _block * _w.InSize;

    /// <summary>Floats in the blocked output (and residual) [N][Cp/16][OutH][OutW][16].</summary>
    public long BlockedOutputLength => (long)Shape.Batch * _blocks * _block * _w.OutSize;

    private int Tasks => Shape.Batch * _blocks * _bands;

    /// <param name="x">Blocked input [N][Cp/16][InH][InW][16].</param>
    /// <param name="weight">Not read: the plan holds its packed copy.</param>
    /// <param name="bias">[M], or empty for none.</param>
    /// <param name="residual">Blocked like y, read when the shape's epilogue has one.</param>
    /// <param name="y">Blocked output [N][Cp/16][OutH][OutW][16], written in full (padded channels 0).</param>
    /// <param name="workspace">Not used.</param>
    public override void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        if (x.Length < BlockedInputLength || y.Length < BlockedOutputLength || (!bias.IsEmpty && bias.Length < Shape.OutChannels)
            || (Shape.Epilogue.Residual && residual.Length < BlockedOutputLength))
            throw new ArgumentException($"Diagonal grouped convolution {Shape}: x {x.Length} (needs {BlockedInputLength}), bias {bias.Length}, residual {residual.Length}, " +
                $"y {y.Length} (needs {BlockedOutputLength}) elements.");
        if (Tasks == 0) return;
        int mp = _blocks * _block;
        Span<float> scratch = !BlockedBias.NeedsCopy(bias, mp) ? default : mp <= 4096 ? stackalloc float[mp] : new float[mp];
        ReadOnlySpan<float> b = BlockedBias.Select(bias, Shape.OutChannels, _zeroBias, scratch);
        fixed (float* px = x, pb = b, pr = residual, py = y, pf = _filter)
        {
            var body = new Body(this, px, pf, pb, Shape.Epilogue.Residual ? pr : null, py);
            EpilogueDispatch.Run(Shape.Epilogue, new RunTasks(Parallel, Tasks, body));
        }
    }

    /// <summary>Strides (in floats) the kernels read; one per task, on its stack.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DiagonalArgs
    {
        public nint RowStep, ColStep, PixelStep, FilterRow;
    }

    private readonly struct Body(GroupedDiagonalPlan plan, float* x, float* filter, float* bias, float* residual, float* y)
    {
        public readonly GroupedDiagonalPlan Plan = plan;
        public readonly float* X = x, Filter = filter, Bias = bias, Residual = residual, Y = y;
    }

    private readonly struct Task<TEpilogue>(Body body) : IParallelBody where TEpilogue : struct, IEpilogue
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int task) => body.Plan.RunTask<TEpilogue>(task, body);
    }

    /// <summary>The run's tasks with the layer's epilogue type (<see cref="EpilogueDispatch"/>).</summary>
    private readonly struct RunTasks(ParallelRunner parallel, int tasks, Body body) : IEpilogueAction
    {
        public void Run<TEpilogue>() where TEpilogue : struct, IEpilogue => parallel.For(tasks, new Task<TEpilogue>(body));
    }

    /// <summary>One task: a band of output rows of one (image, block), task = (image, band, block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunTask<TEpilogue>(int task, in Body body) where TEpilogue : struct, IEpilogue
    {
        Window3D w = _w;
        // Bands outermost within an image: each thread takes its own rows of every block, the rows the layer before (its
        // tasks ordered rows first too, where the activations outweigh the weights) wrote on the same thread.
        int block = task % _blocks; task /= _blocks;
        int band = task % _bands, n = task / _bands;
        int g = _width, maxPixels = MaxPixels;
        bool avx512 = _block == 16;
        long inPlane = (long)w.InH * w.InW * _block, outPlane = (long)w.OutH * w.OutW * _block;
        long tapFloats = (long)g * _block;
        var args = new DiagonalArgs
        {
            RowStep = (nint)((long)w.DH * w.InW * _block), ColStep = (nint)((long)w.DW * _block),
            PixelStep = (nint)((long)w.SW * _block), FilterRow = (nint)(w.KW * tapFloats),
        };
        float* x = body.X + ((long)n * _blocks + block) * inPlane;
        float* filter = body.Filter + (long)block * w.KH * w.KW * tapFloats;
        float* bias = body.Bias + block * _block;
        long plane = ((long)n * _blocks + block) * outPlane;
        int lo = _interiorLo, hi = _interiorHi;
        (int tileBase, int extra) = WindowTaps.NearEqualTiles(hi - lo, maxPixels);
        int oh1 = Math.Min(w.OutH, (band + 1) * _rowsPerTask);
        for (int oh = band * _rowsPerTask; oh < oh1; oh++)
        {
            int ih0 = oh * w.SH - w.PadH;
            (int khLo, int khCount) = WindowTaps.Inside(ih0, w.DH, w.KH, w.InH);
            float* xRow = x + (long)(ih0 + khLo * w.DH) * w.InW * _block;
            float* fRow = filter + (long)khLo * w.KW * tapFloats;
            long yRow = plane + (long)oh * w.OutW * _block;
            int wider = extra;
            for (int ow = 0; ow < w.OutW;)
            {
                float* y = body.Y + yRow + (long)ow * _block;
                float* residual = body.Residual is null ? null : body.Residual + yRow + (long)ow * _block;
                int iw0 = ow * w.SW - w.PadW;
                if (ow >= lo && ow < hi)
                {
                    int p = tileBase + (wider-- > 0 ? 1 : 0);
                    if (avx512) Tile_Avx512<TEpilogue>(g, p, xRow + (long)iw0 * _block, fRow, y, residual, bias, &args, khCount, w.KW);
                    else Tile_Avx2<TEpilogue>(g, p, xRow + (long)iw0 * _block, fRow, y, residual, bias, &args, khCount, w.KW);
                    ow += p;
                    continue;
                }
                (int kwLo, int kwCount) = WindowTaps.Inside(iw0, w.DW, w.KW, w.InW);
                if (avx512) Tile_Avx512<TEpilogue>(g, 1, xRow + (long)(iw0 + kwLo * w.DW) * _block, fRow + kwLo * tapFloats, y, residual, bias, &args, khCount, kwCount);
                else Tile_Avx2<TEpilogue>(g, 1, xRow + (long)(iw0 + kwLo * w.DW) * _block, fRow + kwLo * tapFloats, y, residual, bias, &args, khCount, kwCount);
                ow++;
            }
        }
    }
}
