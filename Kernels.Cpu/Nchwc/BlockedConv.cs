using System.Runtime.InteropServices;
using Cardinal.Epilogues;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// Direct convolution on the channel-blocked layout (<see cref="BlockedLayout"/>, block b = the platform's
/// <see cref="CpuPlatform.BlockSize"/>), as ONNX Runtime's MLAS NCHWc kernels: x is [N][Cp/b][InH][InW][b] and
/// y [N][Mp/b][OutH][OutW][b] (Cp, Mp the channel counts rounded up to b; padded channels zero in and out).
/// A register tile holds P output pixels along a row × R output channel blocks (AVX-512: 6 × 4 zmm, AVX2:
/// 6 × 2 ymm); for each input block, tap and input channel it broadcasts the P pixels' value and multiplies
/// R weight vectors, then stores through the epilogue (bias, residual, ReLU). Rows clamp their kernel-row
/// range to the input (no per-tap checks); columns whose taps all lie inside the row (the interior, found
/// once here) go in P-pixel tiles, the rest (borders, row tails) one pixel at a time with the column taps
/// clamped the same way. The stride only changes the input step. Group 1, 2-D windows; no workspace.
/// Twin: <see cref="Reference.ConvReference"/> between reorders.
/// </summary>
public sealed unsafe partial class BlockedDirectPlan : ConvPlan
{
    /// <summary>Pixels per task segment when a pointwise plane runs as one row (a multiple of every tile's P).</summary>
    private const int FlatSegment = 48;

    private readonly int _block, _tilePixels, _tileBlocks, _inBlocks, _outBlocks, _groups, _segmentsPerRow, _segmentWidth;
    /// <summary>The window the kernel walks: the shape's, or for a 1×1 stride-1 unpadded window the plane as one row.</summary>
    private readonly Window3D _w;
    /// <summary>Interior columns [lo, hi): every tap of every pixel in the input row.</summary>
    private readonly int _interiorLo, _interiorHi;
    /// <summary>
    /// The weights per output group of R (the last group: the remaining r ≤ R) blocks:
    /// src [M][C][KH][KW] → dst [Mp/b / r][Cp/b][KH][KW][b_in][r][b_out], M and C zero-padded to Mp, Cp
    /// (group g starts at g·R blocks × Cp·KH·KW·b floats). Pinned: its address is stable for the plan's life.
    /// </summary>
    private readonly float[] _filter;
    /// <summary>[Mp]: the bias, zero for the padded channels and when there is none (the bias argument of Run, when given, is copied nowhere: see Run).</summary>
    private readonly float[] _zeroBias;

    /// <param name="cache">The backend's packed weights: every plan of the layer (each batch size) shares one packed filter.</param>
    public BlockedDirectPlan(ConvShape shape, Tensor weights, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache = null)
        : base(shape, platform, parallel)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (shape.Group != 1) throw new ArgumentException($"Blocked direct convolution takes group 1; {shape} has {shape.Group}.", nameof(shape));
        if (!shape.Window.IsPlanar) throw new ArgumentException($"Blocked direct convolution takes 2-D windows; {shape} is not one.", nameof(shape));
        if (weights.Length != shape.WeightLength) throw new ArgumentException($"Weights hold {weights.Length} values; {shape} needs {shape.WeightLength}.", nameof(weights));
        (_block, _tilePixels, _tileBlocks) = platform.Isa switch
        {
            CpuIsa.Avx512 when platform.BlockSize == 16 => (16, TilePixelsAvx512, TileBlocksAvx512),
            CpuIsa.Avx2 when platform.BlockSize == 8 => (8, TilePixelsAvx2, TileBlocksAvx2),
            _ => throw new ArgumentException($"{platform} has no blocked convolution kernels (block size {platform.BlockSize})."),
        };
        int b = _block;
        _inBlocks = BlockedLayout.PaddedChannels(shape.Channels, b) / b;
        _outBlocks = BlockedLayout.PaddedChannels(shape.OutChannels, b) / b;
        _groups = (_outBlocks + _tileBlocks - 1) / _tileBlocks;

        Window3D w = shape.Window;
        if (w.IsPointwise) w = w with { InH = 1, OutH = 1, InW = w.InH * w.InW, OutW = w.OutH * w.OutW };
        _w = w;
        _interiorLo = Math.Min(w.OutW, (w.PadW + w.SW - 1) / w.SW);
        int lastFull = w.InW - 1 + w.PadW - (w.KW - 1) * w.DW; // ow·SW must not pass this
        _interiorHi = lastFull < 0 ? _interiorLo : Math.Clamp(lastFull / w.SW + 1, _interiorLo, w.OutW);
        // A plane that is one long row splits into segments, so that even one output group makes tasks for every thread.
        _segmentsPerRow = w.OutH == 1 ? Math.Max(1, (w.OutW + FlatSegment / 2) / FlatSegment) : 1;
        _segmentWidth = Math.Max(1, (w.OutW + _segmentsPerRow - 1) / _segmentsPerRow);

        int tileBlocks = _tileBlocks;
        _filter = cache is null ? PackFilter(weights.Floats, shape, b, tileBlocks)
            : cache.GetOrAdd(weights, ConvAlgorithm.BlockedDirect, shape, platform, () => PackFilter(weights.Floats, shape, b, tileBlocks));
        _zeroBias = GC.AllocateArray<float>(_outBlocks * b, pinned: true);
    }

    /// <summary>src [M][C][KH][KW] → per output group [Cp/b][KH][KW][b_in][r][b_out] (see <see cref="_filter"/>).</summary>
    private static float[] PackFilter(ReadOnlySpan<float> src, in ConvShape shape, int b, int tileBlocks)
    {
        int cBlocks = BlockedLayout.PaddedChannels(shape.Channels, b) / b, mBlocks = BlockedLayout.PaddedChannels(shape.OutChannels, b) / b;
        int kh = shape.Window.KH, kw = shape.Window.KW, taps = kh * kw;
        long blockFloats = (long)cBlocks * taps * b * b;
        var dst = GC.AllocateArray<float>(checked((int)(mBlocks * blockFloats)), pinned: true);
        for (int ob0 = 0; ob0 < mBlocks; ob0 += tileBlocks)
        {
            int r = Math.Min(tileBlocks, mBlocks - ob0);
            long group = ob0 * blockFloats;
            for (int j = 0; j < r; j++)
                for (int oc = 0; oc < b; oc++)
                {
                    int m = (ob0 + j) * b + oc;
                    if (m >= shape.OutChannels) continue;
                    for (int c = 0; c < shape.Channels; c++)
                        for (int t = 0; t < taps; t++)
                            dst[group + ((((long)(c / b) * taps + t) * b + c % b) * r + j) * b + oc] = src[(m * shape.Channels + c) * taps + t];
                }
        }
        return dst;
    }

    public override ConvAlgorithm Algorithm => ConvAlgorithm.BlockedDirect;

    public override bool HoldsPackedWeights => true;

    public override long WorkspaceBytes => 0;

    /// <summary>Channels per block (16 on AVX-512, 8 on AVX2).</summary>
    public int Block => _block;

    /// <summary>Floats in the blocked input [N][Cp/b][InH][InW][b].</summary>
    public long BlockedInputLength => (long)Shape.Batch * _inBlocks * _block * Shape.Window.InSize;

    /// <summary>Floats in the blocked output (and residual) [N][Mp/b][OutH][OutW][b].</summary>
    public long BlockedOutputLength => (long)Shape.Batch * _outBlocks * _block * Shape.Window.OutSize;

    /// <summary>Tasks of one run: (image, output group of R blocks, row segment).</summary>
    private int Tasks => Shape.Batch * _groups * _w.OutH * _segmentsPerRow;

    /// <param name="x">Blocked input [N][Cp/b][InH][InW][b].</param>
    /// <param name="weight">Not read: the plan holds its packed copy.</param>
    /// <param name="bias">[M] (the logical channels), or empty for none.</param>
    /// <param name="residual">Blocked like y (padded lanes zero), read when the shape's epilogue has one.</param>
    /// <param name="y">Blocked output [N][Mp/b][OutH][OutW][b], written in full (padded channels 0).</param>
    public override void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        Span<float> y, Workspace workspace)
    {
        if (x.Length < BlockedInputLength || y.Length < BlockedOutputLength || (!bias.IsEmpty && bias.Length < Shape.OutChannels)
            || (Shape.Epilogue.Residual && residual.Length < BlockedOutputLength))
            throw new ArgumentException($"Blocked convolution {Shape}: x {x.Length} (needs {BlockedInputLength}), bias {bias.Length}, residual {residual.Length}, " +
                $"y {y.Length} (needs {BlockedOutputLength}) elements.");
        if (Tasks == 0) return;
        // The bias as the kernels read it, [Mp] with zero padding: the caller's [M] bias is copied into a stack
        // buffer per run when M is not a multiple of b (the padded lanes must stay 0), else read in place.
        int mp = _outBlocks * _block;
        Span<float> padded = bias.IsEmpty || bias.Length >= mp ? default : mp <= 4096 ? stackalloc float[mp] : new float[mp];
        if (!padded.IsEmpty) { bias[..Shape.OutChannels].CopyTo(padded); padded[Shape.OutChannels..].Clear(); }
        ReadOnlySpan<float> b = bias.IsEmpty ? _zeroBias : padded.IsEmpty ? bias : padded;
        fixed (float* px = x, pb = b, pr = residual, py = y, pf = _filter)
        {
            var body = new Body(this, px, pf, pb, Shape.Epilogue.Residual ? pr : null, py);
            switch ((Shape.Epilogue.Residual, Shape.Epilogue.Relu))
            {
                case (false, false): Parallel.For(Tasks, new Task<BiasEpilogue>(body)); break;
                case (false, true): Parallel.For(Tasks, new Task<BiasReluEpilogue>(body)); break;
                case (true, false): Parallel.For(Tasks, new Task<BiasResidualEpilogue>(body)); break;
                default: Parallel.For(Tasks, new Task<BiasResidualReluEpilogue>(body)); break;
            }
        }
    }

    /// <summary>Strides (in floats) and counts the kernels read; one per task, on its stack.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct KernelArgs
    {
        public nint InBlocks, LastBlockChannels, InBlockStride, RowStep, ColStep, PixelStep, KH, KW, OutBlockStride;
    }

    private readonly struct Body(BlockedDirectPlan plan, float* x, float* filter, float* bias, float* residual, float* y)
    {
        public readonly BlockedDirectPlan Plan = plan;
        public readonly float* X = x, Filter = filter, Bias = bias, Residual = residual, Y = y;
    }

    private readonly struct Task<TEpilogue>(Body body) : IParallelBody where TEpilogue : struct, IEpilogue
    {
        public void Invoke(int task) => body.Plan.RunTask<TEpilogue>(task, body);
    }

    /// <summary>One task: the output pixels of one row segment, for one image and one group of up to R output blocks.</summary>
    private void RunTask<TEpilogue>(int task, in Body body) where TEpilogue : struct, IEpilogue
    {
        Window3D w = _w;
        int b = _block;
        int segment = task % _segmentsPerRow; task /= _segmentsPerRow;
        int oh = task % w.OutH; task /= w.OutH;
        int group = task % _groups, n = task / _groups;
        int ob0 = group * _tileBlocks, r = Math.Min(_tileBlocks, _outBlocks - ob0);
        int ow0 = segment * _segmentWidth, ow1 = Math.Min(w.OutW, ow0 + _segmentWidth);

        long inPlane = (long)w.InH * w.InW * b, outPlane = (long)w.OutH * w.OutW * b;
        var args = new KernelArgs
        {
            InBlocks = _inBlocks, LastBlockChannels = Shape.Channels - (_inBlocks - 1) * b, InBlockStride = (nint)inPlane, RowStep = (nint)w.DH * w.InW * b, ColStep = (nint)w.DW * b,
            PixelStep = (nint)w.SW * b, KH = w.KH, KW = w.KW, OutBlockStride = (nint)outPlane,
        };
        // Kernel rows whose input row exists: ih = ih0 + kh·DH ∈ [0, InH).
        int ih0 = oh * w.SH - w.PadH;
        int khLo = ih0 >= 0 ? 0 : (-ih0 + w.DH - 1) / w.DH;
        int khHi = ih0 > w.InH - 1 ? 0 : Math.Min(w.KH, (w.InH - 1 - ih0) / w.DH + 1);
        nint khCount = Math.Max(0, khHi - khLo);
        float* xRow = body.X + (long)n * _inBlocks * inPlane + (long)(ih0 + khLo * w.DH) * w.InW * b;
        long tapFloats = (long)r * b * b;
        float* filter = body.Filter + (long)ob0 * _inBlocks * w.KH * w.KW * b * b + khLo * w.KW * tapFloats;
        long yRow = ((long)n * _outBlocks + ob0) * outPlane + (long)oh * w.OutW * b;
        float* bias = body.Bias + ob0 * b;
        bool avx512 = b == 16;
        // The interior part of the segment goes in ⌈width/P⌉ tiles of near-equal width (7 → 4 + 3, not 6 + 1: a
        // one-pixel tile has too few accumulators to hide the FMA latency), the rest one pixel at a time.
        int lo = Math.Clamp(_interiorLo, ow0, ow1), hi = Math.Clamp(_interiorHi, lo, ow1);
        int tiles = (hi - lo + _tilePixels - 1) / _tilePixels, tileBase = tiles == 0 ? 0 : (hi - lo) / tiles, wider = tiles == 0 ? 0 : (hi - lo) % tiles;
        for (int ow = ow0; ow < ow1;)
        {
            float* y = body.Y + yRow + (long)ow * b;
            float* residual = body.Residual is null ? null : body.Residual + yRow + (long)ow * b;
            int iw0 = ow * w.SW - w.PadW;
            if (ow >= lo && ow < hi)
            {
                int p = tileBase + (wider-- > 0 ? 1 : 0);
                float* xt = xRow + (long)iw0 * b;
                if (avx512) Tile_Avx512<TEpilogue>(p, r, xt, filter, y, residual, bias, &args, khCount, w.KW);
                else Tile_Avx2<TEpilogue>(p, r, xt, filter, y, residual, bias, &args, khCount, w.KW);
                ow += p;
                continue;
            }
            // One pixel: kernel columns whose input column exists, iw = iw0 + kw·DW ∈ [0, InW).
            int kwLo = iw0 >= 0 ? 0 : (-iw0 + w.DW - 1) / w.DW;
            int kwHi = iw0 > w.InW - 1 ? 0 : Math.Min(w.KW, (w.InW - 1 - iw0) / w.DW + 1);
            nint kwCount = Math.Max(0, kwHi - kwLo);
            float* xp = xRow + (long)(iw0 + kwLo * w.DW) * b;
            float* fp = filter + kwLo * tapFloats;
            if (avx512) Tile_Avx512<TEpilogue>(1, r, xp, fp, y, residual, bias, &args, khCount, kwCount);
            else Tile_Avx2<TEpilogue>(1, r, xp, fp, y, residual, bias, &args, khCount, kwCount);
            ow++;
        }
    }
}
