using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Epilogues;

namespace Cardinal.Kernels.Cpu.Nchwc;

// Written out per tile shape by a short generator (quoted in Engine.Bench/NOTES.md, "Blocked direct convolution"): the
// JIT does not unroll loops, and each accumulator must be its own local to stay in a register.
internal sealed unsafe partial class BlockedDirectPlan
{
    /// <summary>Avx2: b = 8 lanes per block, tiles of 6 pixels × 2 output blocks (12 Vector256 accumulators), narrower tiles down to 1 pixel for row remainders and borders.</summary>
    internal const int TilePixelsAvx2 = 6, TileBlocksAvx2 = 2;

    /// <summary>Pixels of the tile a one-block unit takes on AVX2 (as <see cref="WideTilePixelsAvx512"/>; 10, so that the accumulators, the weight and a broadcast fit the 16 ymm registers).</summary>
    internal const int WideTilePixelsAvx2 = 10;

    /// <summary>One tile of <paramref name="pixels"/> ∈ {6, 5, 4, 3, 2, 1} pixels × <paramref name="blocks"/> ∈ [1, 2] output blocks, or of 7–10 pixels × 1 block (<see cref="WideTilePixelsAvx2"/>).</summary>
    internal static void Tile_Avx2<TEpilogue>(int pixels, int blocks, float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        switch (pixels * 8 + blocks)
        {
            case 49: Conv_6x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 50: Conv_6x2_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 41: Conv_5x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 42: Conv_5x2_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 33: Conv_4x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 34: Conv_4x2_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 25: Conv_3x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 26: Conv_3x2_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 17: Conv_2x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 18: Conv_2x2_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 9: Conv_1x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 10: Conv_1x2_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 57: Conv_7x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 65: Conv_8x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 73: Conv_9x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 81: Conv_10x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            default: throw new ArgumentOutOfRangeException(nameof(pixels), $"no Avx2 tile of {pixels}×{blocks}");
        }
    }

    /// <summary>6 pixels × 2 output blocks (12 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_6x2_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = Vector256<float>.Zero;
        nint tap = 128, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][8] panel), 6 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector256<float> w0 = Vector256.Load(wi); Vector256<float> w1 = Vector256.Load(wi + 8);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00); a01 = Vector256.FusedMultiplyAdd(s0, w1, a01);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10); a11 = Vector256.FusedMultiplyAdd(s1, w1, a11);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20); a21 = Vector256.FusedMultiplyAdd(s2, w1, a21);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30); a31 = Vector256.FusedMultiplyAdd(s3, w1, a31);
                        Vector256<float> s4 = Vector256.Create(x4[ic]); a40 = Vector256.FusedMultiplyAdd(s4, w0, a40); a41 = Vector256.FusedMultiplyAdd(s4, w1, a41);
                        Vector256<float> s5 = Vector256.Create(x5[ic]); a50 = Vector256.FusedMultiplyAdd(s5, w0, a50); a51 = Vector256.FusedMultiplyAdd(s5, w1, a51);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256<float> bias1 = Vector256.Load(bias + 8);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 32) : default), y + 32);
        Vector256.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 40) : default), y + 40);
        Vector256.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector256.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 8) : default), y + 1 * outBlock + 8);
        Vector256.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector256.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 24) : default), y + 1 * outBlock + 24);
        Vector256.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector256.Store(TEpilogue.Apply(a51, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 40) : default), y + 1 * outBlock + 40);
    }

    /// <summary>6 pixels × 1 output block (6 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_6x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a10, a20, a30, a40, a50;
        a00 = a10 = a20 = a30 = a40 = a50 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][8] panel), 6 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30);
                        Vector256<float> s4 = Vector256.Create(x4[ic]); a40 = Vector256.FusedMultiplyAdd(s4, w0, a40);
                        Vector256<float> s5 = Vector256.Create(x5[ic]); a50 = Vector256.FusedMultiplyAdd(s5, w0, a50);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 32) : default), y + 32);
        Vector256.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 40) : default), y + 40);
    }

    /// <summary>5 pixels × 2 output blocks (10 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_5x2_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = Vector256<float>.Zero;
        nint tap = 128, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][8] panel), 5 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector256<float> w0 = Vector256.Load(wi); Vector256<float> w1 = Vector256.Load(wi + 8);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00); a01 = Vector256.FusedMultiplyAdd(s0, w1, a01);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10); a11 = Vector256.FusedMultiplyAdd(s1, w1, a11);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20); a21 = Vector256.FusedMultiplyAdd(s2, w1, a21);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30); a31 = Vector256.FusedMultiplyAdd(s3, w1, a31);
                        Vector256<float> s4 = Vector256.Create(x4[ic]); a40 = Vector256.FusedMultiplyAdd(s4, w0, a40); a41 = Vector256.FusedMultiplyAdd(s4, w1, a41);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256<float> bias1 = Vector256.Load(bias + 8);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 32) : default), y + 32);
        Vector256.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector256.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 8) : default), y + 1 * outBlock + 8);
        Vector256.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector256.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 24) : default), y + 1 * outBlock + 24);
        Vector256.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
    }

    /// <summary>5 pixels × 1 output block (5 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_5x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a10, a20, a30, a40;
        a00 = a10 = a20 = a30 = a40 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][8] panel), 5 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30);
                        Vector256<float> s4 = Vector256.Create(x4[ic]); a40 = Vector256.FusedMultiplyAdd(s4, w0, a40);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 32) : default), y + 32);
    }

    /// <summary>4 pixels × 2 output blocks (8 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_4x2_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a01, a10, a11, a20, a21, a30, a31;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = Vector256<float>.Zero;
        nint tap = 128, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][8] panel), 4 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector256<float> w0 = Vector256.Load(wi); Vector256<float> w1 = Vector256.Load(wi + 8);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00); a01 = Vector256.FusedMultiplyAdd(s0, w1, a01);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10); a11 = Vector256.FusedMultiplyAdd(s1, w1, a11);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20); a21 = Vector256.FusedMultiplyAdd(s2, w1, a21);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30); a31 = Vector256.FusedMultiplyAdd(s3, w1, a31);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256<float> bias1 = Vector256.Load(bias + 8);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector256.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 8) : default), y + 1 * outBlock + 8);
        Vector256.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector256.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 24) : default), y + 1 * outBlock + 24);
    }

    /// <summary>4 pixels × 1 output block (4 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_4x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a10, a20, a30;
        a00 = a10 = a20 = a30 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][8] panel), 4 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
    }

    /// <summary>3 pixels × 2 output blocks (6 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_3x2_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a01, a10, a11, a20, a21;
        a00 = a01 = a10 = a11 = a20 = a21 = Vector256<float>.Zero;
        nint tap = 128, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][8] panel), 3 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector256<float> w0 = Vector256.Load(wi); Vector256<float> w1 = Vector256.Load(wi + 8);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00); a01 = Vector256.FusedMultiplyAdd(s0, w1, a01);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10); a11 = Vector256.FusedMultiplyAdd(s1, w1, a11);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20); a21 = Vector256.FusedMultiplyAdd(s2, w1, a21);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256<float> bias1 = Vector256.Load(bias + 8);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector256.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 8) : default), y + 1 * outBlock + 8);
        Vector256.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
    }

    /// <summary>3 pixels × 1 output block (3 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_3x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a10, a20;
        a00 = a10 = a20 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][8] panel), 3 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
    }

    /// <summary>2 pixels × 2 output blocks (4 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_2x2_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a01, a10, a11;
        a00 = a01 = a10 = a11 = Vector256<float>.Zero;
        nint tap = 128, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][8] panel), 2 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector256<float> w0 = Vector256.Load(wi); Vector256<float> w1 = Vector256.Load(wi + 8);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00); a01 = Vector256.FusedMultiplyAdd(s0, w1, a01);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10); a11 = Vector256.FusedMultiplyAdd(s1, w1, a11);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256<float> bias1 = Vector256.Load(bias + 8);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector256.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock + 8) : default), y + 1 * outBlock + 8);
    }

    /// <summary>2 pixels × 1 output block (2 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_2x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a10;
        a00 = a10 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][8] panel), 2 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
    }

    /// <summary>1 pixel × 2 output blocks (2 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_1x2_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00, a01;
        a00 = a01 = Vector256<float>.Zero;
        nint tap = 128, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][8] panel), 1 broadcast pixel.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector256<float> w0 = Vector256.Load(wi); Vector256<float> w1 = Vector256.Load(wi + 8);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00); a01 = Vector256.FusedMultiplyAdd(s0, w1, a01);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256<float> bias1 = Vector256.Load(bias + 8);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector256.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
    }

    /// <summary>1 pixel × 1 output block (1 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_1x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 8 channels of output block J of the tile.
        Vector256<float> a00;
        a00 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            // The last input block reads only its real channels (the stem's 3 of 8): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][8] panel), 1 broadcast pixel.
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·8, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
    }
    /// <summary>7 pixels × 1 output block (7 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_7x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector256<float> a00, a10, a20, a30, a40, a50, a60;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30);
                        Vector256<float> s4 = Vector256.Create(x4[ic]); a40 = Vector256.FusedMultiplyAdd(s4, w0, a40);
                        Vector256<float> s5 = Vector256.Create(x5[ic]); a50 = Vector256.FusedMultiplyAdd(s5, w0, a50);
                        Vector256<float> s6 = Vector256.Create(x6[ic]); a60 = Vector256.FusedMultiplyAdd(s6, w0, a60);
                    }
                }
            }
        }
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 32) : default), y + 32);
        Vector256.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 40) : default), y + 40);
        Vector256.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 48) : default), y + 48);
    }

    /// <summary>8 pixels × 1 output block (8 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_8x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector256<float> a00, a10, a20, a30, a40, a50, a60, a70;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = a70 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, x7 = x6 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30);
                        Vector256<float> s4 = Vector256.Create(x4[ic]); a40 = Vector256.FusedMultiplyAdd(s4, w0, a40);
                        Vector256<float> s5 = Vector256.Create(x5[ic]); a50 = Vector256.FusedMultiplyAdd(s5, w0, a50);
                        Vector256<float> s6 = Vector256.Create(x6[ic]); a60 = Vector256.FusedMultiplyAdd(s6, w0, a60);
                        Vector256<float> s7 = Vector256.Create(x7[ic]); a70 = Vector256.FusedMultiplyAdd(s7, w0, a70);
                    }
                }
            }
        }
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 32) : default), y + 32);
        Vector256.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 40) : default), y + 40);
        Vector256.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 48) : default), y + 48);
        Vector256.Store(TEpilogue.Apply(a70, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 56) : default), y + 56);
    }

    /// <summary>9 pixels × 1 output block (9 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_9x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector256<float> a00, a10, a20, a30, a40, a50, a60, a70, a80;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = a70 = a80 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, x7 = x6 + pixel, x8 = x7 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30);
                        Vector256<float> s4 = Vector256.Create(x4[ic]); a40 = Vector256.FusedMultiplyAdd(s4, w0, a40);
                        Vector256<float> s5 = Vector256.Create(x5[ic]); a50 = Vector256.FusedMultiplyAdd(s5, w0, a50);
                        Vector256<float> s6 = Vector256.Create(x6[ic]); a60 = Vector256.FusedMultiplyAdd(s6, w0, a60);
                        Vector256<float> s7 = Vector256.Create(x7[ic]); a70 = Vector256.FusedMultiplyAdd(s7, w0, a70);
                        Vector256<float> s8 = Vector256.Create(x8[ic]); a80 = Vector256.FusedMultiplyAdd(s8, w0, a80);
                    }
                }
            }
        }
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 32) : default), y + 32);
        Vector256.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 40) : default), y + 40);
        Vector256.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 48) : default), y + 48);
        Vector256.Store(TEpilogue.Apply(a70, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 56) : default), y + 56);
        Vector256.Store(TEpilogue.Apply(a80, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 64) : default), y + 64);
    }

    /// <summary>10 pixels × 1 output block (10 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_10x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector256<float> a00, a10, a20, a30, a40, a50, a60, a70, a80, a90;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = a70 = a80 = a90 = Vector256<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            nint channels = icb == 1 ? args->LastBlockChannels : 8;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, x7 = x6 + pixel, x8 = x7 + pixel, x9 = x8 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 8)
                    {
                        Vector256<float> w0 = Vector256.Load(wi);
                        Vector256<float> s0 = Vector256.Create(x0[ic]); a00 = Vector256.FusedMultiplyAdd(s0, w0, a00);
                        Vector256<float> s1 = Vector256.Create(x1[ic]); a10 = Vector256.FusedMultiplyAdd(s1, w0, a10);
                        Vector256<float> s2 = Vector256.Create(x2[ic]); a20 = Vector256.FusedMultiplyAdd(s2, w0, a20);
                        Vector256<float> s3 = Vector256.Create(x3[ic]); a30 = Vector256.FusedMultiplyAdd(s3, w0, a30);
                        Vector256<float> s4 = Vector256.Create(x4[ic]); a40 = Vector256.FusedMultiplyAdd(s4, w0, a40);
                        Vector256<float> s5 = Vector256.Create(x5[ic]); a50 = Vector256.FusedMultiplyAdd(s5, w0, a50);
                        Vector256<float> s6 = Vector256.Create(x6[ic]); a60 = Vector256.FusedMultiplyAdd(s6, w0, a60);
                        Vector256<float> s7 = Vector256.Create(x7[ic]); a70 = Vector256.FusedMultiplyAdd(s7, w0, a70);
                        Vector256<float> s8 = Vector256.Create(x8[ic]); a80 = Vector256.FusedMultiplyAdd(s8, w0, a80);
                        Vector256<float> s9 = Vector256.Create(x9[ic]); a90 = Vector256.FusedMultiplyAdd(s9, w0, a90);
                    }
                }
            }
        }
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
        Vector256.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 16) : default), y + 16);
        Vector256.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 24) : default), y + 24);
        Vector256.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 32) : default), y + 32);
        Vector256.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 40) : default), y + 40);
        Vector256.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 48) : default), y + 48);
        Vector256.Store(TEpilogue.Apply(a70, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 56) : default), y + 56);
        Vector256.Store(TEpilogue.Apply(a80, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 64) : default), y + 64);
        Vector256.Store(TEpilogue.Apply(a90, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 72) : default), y + 72);
    }
}
