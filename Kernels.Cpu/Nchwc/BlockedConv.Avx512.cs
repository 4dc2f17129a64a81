using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Epilogues;

namespace Cardinal.Kernels.Cpu.Nchwc;

// Written out per tile shape by a short generator (quoted in Engine.Bench/NOTES.md, "Blocked direct convolution"): the
// JIT does not unroll loops, and each accumulator must be its own local to stay in a register.
internal sealed unsafe partial class BlockedDirectPlan
{
    /// <summary>Avx512: b = 16 lanes per block, tiles of 6 pixels × 4 output blocks (24 Vector512 accumulators), narrower tiles down to 1 pixel for row remainders and borders.</summary>
    internal const int TilePixelsAvx512 = 6, TileBlocksAvx512 = 4;

    /// <summary>
    /// Pixels of the tile a one-block unit takes (ResNeXt's narrow groups, groups of one block): 6 × 1 holds only 6
    /// accumulators, fewer than the FMA pipes' latency needs in flight (2 pipes × 4 cycles), so it ran at most 3/4 rate.
    /// </summary>
    internal const int WideTilePixelsAvx512 = 12;

    /// <summary>One tile of <paramref name="pixels"/> ∈ {6, 5, 4, 3, 2, 1} pixels × <paramref name="blocks"/> ∈ [1, 4] output blocks, or of 7–12 pixels × 1 block (<see cref="WideTilePixelsAvx512"/>).</summary>
    internal static void Tile_Avx512<TEpilogue>(int pixels, int blocks, float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        switch (pixels * 8 + blocks)
        {
            case 49: Conv_6x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 50: Conv_6x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 51: Conv_6x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 52: Conv_6x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 41: Conv_5x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 42: Conv_5x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 43: Conv_5x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 44: Conv_5x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 33: Conv_4x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 34: Conv_4x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 35: Conv_4x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 36: Conv_4x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 25: Conv_3x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 26: Conv_3x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 27: Conv_3x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 28: Conv_3x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 17: Conv_2x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 18: Conv_2x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 19: Conv_2x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 20: Conv_2x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 9: Conv_1x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 10: Conv_1x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 11: Conv_1x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 12: Conv_1x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 57: Conv_7x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 65: Conv_8x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 73: Conv_9x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 81: Conv_10x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 89: Conv_11x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 97: Conv_12x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            default: throw new ArgumentOutOfRangeException(nameof(pixels), $"no Avx512 tile of {pixels}×{blocks}");
        }
    }

    /// <summary>6 pixels × 4 output blocks (24 accumulators, 4 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_6x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33, a40, a41, a42, a43, a50, a51, a52, a53;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = a40 = a41 = a42 = a43 = a50 = a51 = a52 = a53 = Vector512<float>.Zero;
        nint tap = 1024, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, wi = wc;
                    // One input channel of the block per step: 4 weight vectors (its row of the [ic][4][16] panel), 6 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 64)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32); Vector512<float> w3 = Vector512.Load(wi + 48);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22); a23 = Vector512.FusedMultiplyAdd(s2, w3, a23);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32); a33 = Vector512.FusedMultiplyAdd(s3, w3, a33);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41); a42 = Vector512.FusedMultiplyAdd(s4, w2, a42); a43 = Vector512.FusedMultiplyAdd(s4, w3, a43);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50); a51 = Vector512.FusedMultiplyAdd(s5, w1, a51); a52 = Vector512.FusedMultiplyAdd(s5, w2, a52); a53 = Vector512.FusedMultiplyAdd(s5, w3, a53);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a51, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 80) : default), y + 1 * outBlock + 80);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a42, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 64) : default), y + 2 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a52, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 80) : default), y + 2 * outBlock + 80);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock) : default), y + 3 * outBlock);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a23, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 32) : default), y + 3 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a33, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 48) : default), y + 3 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a43, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 64) : default), y + 3 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a53, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 80) : default), y + 3 * outBlock + 80);
    }

    /// <summary>6 pixels × 3 output blocks (18 accumulators, 3 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_6x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32, a40, a41, a42, a50, a51, a52;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = a40 = a41 = a42 = a50 = a51 = a52 = Vector512<float>.Zero;
        nint tap = 768, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, wi = wc;
                    // One input channel of the block per step: 3 weight vectors (its row of the [ic][3][16] panel), 6 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 48)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41); a42 = Vector512.FusedMultiplyAdd(s4, w2, a42);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50); a51 = Vector512.FusedMultiplyAdd(s5, w1, a51); a52 = Vector512.FusedMultiplyAdd(s5, w2, a52);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a51, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 80) : default), y + 1 * outBlock + 80);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a42, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 64) : default), y + 2 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a52, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 80) : default), y + 2 * outBlock + 80);
    }

    /// <summary>6 pixels × 2 output blocks (12 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_6x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = Vector512<float>.Zero;
        nint tap = 512, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][16] panel), 6 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 32)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50); a51 = Vector512.FusedMultiplyAdd(s5, w1, a51);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a51, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 80) : default), y + 1 * outBlock + 80);
    }

    /// <summary>6 pixels × 1 output block (6 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_6x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a10, a20, a30, a40, a50;
        a00 = a10 = a20 = a30 = a40 = a50 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][16] panel), 6 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
    }

    /// <summary>5 pixels × 4 output blocks (20 accumulators, 4 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_5x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33, a40, a41, a42, a43;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = a40 = a41 = a42 = a43 = Vector512<float>.Zero;
        nint tap = 1024, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, wi = wc;
                    // One input channel of the block per step: 4 weight vectors (its row of the [ic][4][16] panel), 5 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 64)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32); Vector512<float> w3 = Vector512.Load(wi + 48);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22); a23 = Vector512.FusedMultiplyAdd(s2, w3, a23);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32); a33 = Vector512.FusedMultiplyAdd(s3, w3, a33);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41); a42 = Vector512.FusedMultiplyAdd(s4, w2, a42); a43 = Vector512.FusedMultiplyAdd(s4, w3, a43);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a42, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 64) : default), y + 2 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock) : default), y + 3 * outBlock);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a23, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 32) : default), y + 3 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a33, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 48) : default), y + 3 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a43, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 64) : default), y + 3 * outBlock + 64);
    }

    /// <summary>5 pixels × 3 output blocks (15 accumulators, 3 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_5x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32, a40, a41, a42;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = a40 = a41 = a42 = Vector512<float>.Zero;
        nint tap = 768, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, wi = wc;
                    // One input channel of the block per step: 3 weight vectors (its row of the [ic][3][16] panel), 5 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 48)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41); a42 = Vector512.FusedMultiplyAdd(s4, w2, a42);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a42, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 64) : default), y + 2 * outBlock + 64);
    }

    /// <summary>5 pixels × 2 output blocks (10 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_5x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = Vector512<float>.Zero;
        nint tap = 512, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][16] panel), 5 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 32)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
    }

    /// <summary>5 pixels × 1 output block (5 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_5x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a10, a20, a30, a40;
        a00 = a10 = a20 = a30 = a40 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][16] panel), 5 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
    }

    /// <summary>4 pixels × 4 output blocks (16 accumulators, 4 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_4x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = Vector512<float>.Zero;
        nint tap = 1024, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, wi = wc;
                    // One input channel of the block per step: 4 weight vectors (its row of the [ic][4][16] panel), 4 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 64)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32); Vector512<float> w3 = Vector512.Load(wi + 48);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22); a23 = Vector512.FusedMultiplyAdd(s2, w3, a23);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32); a33 = Vector512.FusedMultiplyAdd(s3, w3, a33);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock) : default), y + 3 * outBlock);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a23, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 32) : default), y + 3 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a33, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 48) : default), y + 3 * outBlock + 48);
    }

    /// <summary>4 pixels × 3 output blocks (12 accumulators, 3 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_4x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = Vector512<float>.Zero;
        nint tap = 768, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, wi = wc;
                    // One input channel of the block per step: 3 weight vectors (its row of the [ic][3][16] panel), 4 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 48)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
    }

    /// <summary>4 pixels × 2 output blocks (8 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_4x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = Vector512<float>.Zero;
        nint tap = 512, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][16] panel), 4 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 32)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
    }

    /// <summary>4 pixels × 1 output block (4 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_4x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a10, a20, a30;
        a00 = a10 = a20 = a30 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][16] panel), 4 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
    }

    /// <summary>3 pixels × 4 output blocks (12 accumulators, 4 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_3x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = Vector512<float>.Zero;
        nint tap = 1024, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, wi = wc;
                    // One input channel of the block per step: 4 weight vectors (its row of the [ic][4][16] panel), 3 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 64)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32); Vector512<float> w3 = Vector512.Load(wi + 48);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22); a23 = Vector512.FusedMultiplyAdd(s2, w3, a23);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock) : default), y + 3 * outBlock);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a23, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 32) : default), y + 3 * outBlock + 32);
    }

    /// <summary>3 pixels × 3 output blocks (9 accumulators, 3 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_3x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = Vector512<float>.Zero;
        nint tap = 768, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, wi = wc;
                    // One input channel of the block per step: 3 weight vectors (its row of the [ic][3][16] panel), 3 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 48)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
    }

    /// <summary>3 pixels × 2 output blocks (6 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_3x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a10, a11, a20, a21;
        a00 = a01 = a10 = a11 = a20 = a21 = Vector512<float>.Zero;
        nint tap = 512, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][16] panel), 3 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 32)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
    }

    /// <summary>3 pixels × 1 output block (3 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_3x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a10, a20;
        a00 = a10 = a20 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][16] panel), 3 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
    }

    /// <summary>2 pixels × 4 output blocks (8 accumulators, 4 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_2x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = Vector512<float>.Zero;
        nint tap = 1024, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, wi = wc;
                    // One input channel of the block per step: 4 weight vectors (its row of the [ic][4][16] panel), 2 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 64)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32); Vector512<float> w3 = Vector512.Load(wi + 48);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock) : default), y + 3 * outBlock);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
    }

    /// <summary>2 pixels × 3 output blocks (6 accumulators, 3 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_2x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a10, a11, a12;
        a00 = a01 = a02 = a10 = a11 = a12 = Vector512<float>.Zero;
        nint tap = 768, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, wi = wc;
                    // One input channel of the block per step: 3 weight vectors (its row of the [ic][3][16] panel), 2 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 48)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
    }

    /// <summary>2 pixels × 2 output blocks (4 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_2x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a10, a11;
        a00 = a01 = a10 = a11 = Vector512<float>.Zero;
        nint tap = 512, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][16] panel), 2 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 32)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
    }

    /// <summary>2 pixels × 1 output block (2 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_2x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a10;
        a00 = a10 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][16] panel), 2 broadcast pixels.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
    }

    /// <summary>1 pixel × 4 output blocks (4 accumulators, 4 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_1x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02, a03;
        a00 = a01 = a02 = a03 = Vector512<float>.Zero;
        nint tap = 1024, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, wi = wc;
                    // One input channel of the block per step: 4 weight vectors (its row of the [ic][4][16] panel), 1 broadcast pixel.
                    for (nint ic = 0; ic < channels; ic++, wi += 64)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32); Vector512<float> w3 = Vector512.Load(wi + 48);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock) : default), y + 3 * outBlock);
    }

    /// <summary>1 pixel × 3 output blocks (3 accumulators, 3 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_1x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01, a02;
        a00 = a01 = a02 = Vector512<float>.Zero;
        nint tap = 768, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, wi = wc;
                    // One input channel of the block per step: 3 weight vectors (its row of the [ic][3][16] panel), 1 broadcast pixel.
                    for (nint ic = 0; ic < channels; ic++, wi += 48)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16); Vector512<float> w2 = Vector512.Load(wi + 32);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock) : default), y + 2 * outBlock);
    }

    /// <summary>1 pixel × 2 output blocks (2 accumulators, 2 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_1x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00, a01;
        a00 = a01 = Vector512<float>.Zero;
        nint tap = 512, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, wi = wc;
                    // One input channel of the block per step: 2 weight vectors (its row of the [ic][2][16] panel), 1 broadcast pixel.
                    for (nint ic = 0; ic < channels; ic++, wi += 32)
                    {
                        Vector512<float> w0 = Vector512.Load(wi); Vector512<float> w1 = Vector512.Load(wi + 16);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock) : default), y + 1 * outBlock);
    }

    /// <summary>1 pixel × 1 output block (1 accumulators, 1 weight vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_1x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        // Lanes: aPJ = output pixel P (along the row) × the 16 channels of output block J of the tile.
        Vector512<float> a00;
        a00 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            // The last input block reads only its real channels (the stem's 3 of 16): padded lanes are zero in x and w.
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, wi = wc;
                    // One input channel of the block per step: 1 weight vectors (its row of the [ic][1][16] panel), 1 broadcast pixel.
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                    }
                }
            }
        }
        // Store: block J of pixel P at y + J·OutBlockStride + P·16, through the epilogue (the residual laid out as y).
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
    }
    /// <summary>7 pixels × 1 output block (7 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_7x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30, a40, a50, a60;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50);
                        Vector512<float> s6 = Vector512.Create(x6[ic]); a60 = Vector512.FusedMultiplyAdd(s6, w0, a60);
                    }
                }
            }
        }
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 96) : default), y + 96);
    }

    /// <summary>8 pixels × 1 output block (8 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_8x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30, a40, a50, a60, a70;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = a70 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, x7 = x6 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50);
                        Vector512<float> s6 = Vector512.Create(x6[ic]); a60 = Vector512.FusedMultiplyAdd(s6, w0, a60);
                        Vector512<float> s7 = Vector512.Create(x7[ic]); a70 = Vector512.FusedMultiplyAdd(s7, w0, a70);
                    }
                }
            }
        }
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 96) : default), y + 96);
        Vector512.Store(TEpilogue.Apply(a70, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 112) : default), y + 112);
    }

    /// <summary>9 pixels × 1 output block (9 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_9x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30, a40, a50, a60, a70, a80;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = a70 = a80 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, x7 = x6 + pixel, x8 = x7 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50);
                        Vector512<float> s6 = Vector512.Create(x6[ic]); a60 = Vector512.FusedMultiplyAdd(s6, w0, a60);
                        Vector512<float> s7 = Vector512.Create(x7[ic]); a70 = Vector512.FusedMultiplyAdd(s7, w0, a70);
                        Vector512<float> s8 = Vector512.Create(x8[ic]); a80 = Vector512.FusedMultiplyAdd(s8, w0, a80);
                    }
                }
            }
        }
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 96) : default), y + 96);
        Vector512.Store(TEpilogue.Apply(a70, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 112) : default), y + 112);
        Vector512.Store(TEpilogue.Apply(a80, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 128) : default), y + 128);
    }

    /// <summary>10 pixels × 1 output block (10 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_10x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30, a40, a50, a60, a70, a80, a90;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = a70 = a80 = a90 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, x7 = x6 + pixel, x8 = x7 + pixel, x9 = x8 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50);
                        Vector512<float> s6 = Vector512.Create(x6[ic]); a60 = Vector512.FusedMultiplyAdd(s6, w0, a60);
                        Vector512<float> s7 = Vector512.Create(x7[ic]); a70 = Vector512.FusedMultiplyAdd(s7, w0, a70);
                        Vector512<float> s8 = Vector512.Create(x8[ic]); a80 = Vector512.FusedMultiplyAdd(s8, w0, a80);
                        Vector512<float> s9 = Vector512.Create(x9[ic]); a90 = Vector512.FusedMultiplyAdd(s9, w0, a90);
                    }
                }
            }
        }
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 96) : default), y + 96);
        Vector512.Store(TEpilogue.Apply(a70, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 112) : default), y + 112);
        Vector512.Store(TEpilogue.Apply(a80, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 128) : default), y + 128);
        Vector512.Store(TEpilogue.Apply(a90, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 144) : default), y + 144);
    }

    /// <summary>11 pixels × 1 output block (11 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_11x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30, a40, a50, a60, a70, a80, a90, a100;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = a70 = a80 = a90 = a100 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, x7 = x6 + pixel, x8 = x7 + pixel, x9 = x8 + pixel, x10 = x9 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50);
                        Vector512<float> s6 = Vector512.Create(x6[ic]); a60 = Vector512.FusedMultiplyAdd(s6, w0, a60);
                        Vector512<float> s7 = Vector512.Create(x7[ic]); a70 = Vector512.FusedMultiplyAdd(s7, w0, a70);
                        Vector512<float> s8 = Vector512.Create(x8[ic]); a80 = Vector512.FusedMultiplyAdd(s8, w0, a80);
                        Vector512<float> s9 = Vector512.Create(x9[ic]); a90 = Vector512.FusedMultiplyAdd(s9, w0, a90);
                        Vector512<float> s10 = Vector512.Create(x10[ic]); a100 = Vector512.FusedMultiplyAdd(s10, w0, a100);
                    }
                }
            }
        }
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 96) : default), y + 96);
        Vector512.Store(TEpilogue.Apply(a70, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 112) : default), y + 112);
        Vector512.Store(TEpilogue.Apply(a80, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 128) : default), y + 128);
        Vector512.Store(TEpilogue.Apply(a90, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 144) : default), y + 144);
        Vector512.Store(TEpilogue.Apply(a100, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 160) : default), y + 160);
    }

    /// <summary>12 pixels × 1 output block (12 accumulators, 1 weight vector): a single-block unit's wide tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv_12x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, KernelArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30, a40, a50, a60, a70, a80, a90, a100, a110;
        a00 = a10 = a20 = a30 = a40 = a50 = a60 = a70 = a80 = a90 = a100 = a110 = Vector512<float>.Zero;
        nint tap = 256, filterRow = args->KW * tap, filterBlock = args->KH * filterRow;
        nint pixel = args->PixelStep;
        byte* ahead = (byte*)args->Prefetch, inputAhead = (byte*)args->InputAhead;
        for (nint icb = args->InBlocks; icb > 0; icb--, x += args->InBlockStride, w += filterBlock)
        {
            ahead = SlicePrefetch.Ask(ahead, args->PrefetchLines);
            inputAhead = SlicePrefetch.AskAcross(inputAhead, args->InputAheadLines, args->InBlockStride * sizeof(float));
            nint channels = icb == 1 ? args->LastBlockChannels : 16;
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    ahead = SlicePrefetch.Ask(ahead, args->PrefetchTapLines);
                    float* x0 = xc, x1 = x0 + pixel, x2 = x1 + pixel, x3 = x2 + pixel, x4 = x3 + pixel, x5 = x4 + pixel, x6 = x5 + pixel, x7 = x6 + pixel, x8 = x7 + pixel, x9 = x8 + pixel, x10 = x9 + pixel, x11 = x10 + pixel, wi = wc;
                    for (nint ic = 0; ic < channels; ic++, wi += 16)
                    {
                        Vector512<float> w0 = Vector512.Load(wi);
                        Vector512<float> s0 = Vector512.Create(x0[ic]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                        Vector512<float> s1 = Vector512.Create(x1[ic]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                        Vector512<float> s2 = Vector512.Create(x2[ic]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                        Vector512<float> s3 = Vector512.Create(x3[ic]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                        Vector512<float> s4 = Vector512.Create(x4[ic]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                        Vector512<float> s5 = Vector512.Create(x5[ic]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50);
                        Vector512<float> s6 = Vector512.Create(x6[ic]); a60 = Vector512.FusedMultiplyAdd(s6, w0, a60);
                        Vector512<float> s7 = Vector512.Create(x7[ic]); a70 = Vector512.FusedMultiplyAdd(s7, w0, a70);
                        Vector512<float> s8 = Vector512.Create(x8[ic]); a80 = Vector512.FusedMultiplyAdd(s8, w0, a80);
                        Vector512<float> s9 = Vector512.Create(x9[ic]); a90 = Vector512.FusedMultiplyAdd(s9, w0, a90);
                        Vector512<float> s10 = Vector512.Create(x10[ic]); a100 = Vector512.FusedMultiplyAdd(s10, w0, a100);
                        Vector512<float> s11 = Vector512.Create(x11[ic]); a110 = Vector512.FusedMultiplyAdd(s11, w0, a110);
                    }
                }
            }
        }
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a60, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 96) : default), y + 96);
        Vector512.Store(TEpilogue.Apply(a70, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 112) : default), y + 112);
        Vector512.Store(TEpilogue.Apply(a80, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 128) : default), y + 128);
        Vector512.Store(TEpilogue.Apply(a90, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 144) : default), y + 144);
        Vector512.Store(TEpilogue.Apply(a100, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 160) : default), y + 160);
        Vector512.Store(TEpilogue.Apply(a110, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 176) : default), y + 176);
    }
}
