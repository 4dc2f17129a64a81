using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Epilogues;

namespace Cardinal.Kernels.Cpu.Nchwc;

// Written out per (pixels, blocks) by a short generator (tools/kernel-gen/nchw-stem.py): the
// JIT does not unroll loops, and each accumulator must be its own local to stay in a register.
internal sealed unsafe partial class NchwStemPlan
{
    /// <summary>One tile of <paramref name="pixels"/> ∈ [1, 6] output pixels along a row × <paramref name="blocks"/> ∈ [1, 4] output blocks.</summary>
    internal static void Tile_Avx512<TEpilogue>(int pixels, int blocks, float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        switch (pixels * 8 + blocks)
        {
            case 9: Stem_1x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 10: Stem_1x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 11: Stem_1x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 12: Stem_1x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 17: Stem_2x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 18: Stem_2x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 19: Stem_2x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 20: Stem_2x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 25: Stem_3x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 26: Stem_3x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 27: Stem_3x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 28: Stem_3x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 33: Stem_4x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 34: Stem_4x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 35: Stem_4x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 36: Stem_4x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 41: Stem_5x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 42: Stem_5x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 43: Stem_5x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 44: Stem_5x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 49: Stem_6x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 50: Stem_6x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 51: Stem_6x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 52: Stem_6x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            default: throw new ArgumentOutOfRangeException(nameof(pixels), $"No stem tile of {pixels} pixels × {blocks} blocks.");
        }
    }

    /// <summary>1 pixel(s) × 1 output block(s): 1 accumulators; per tap 1 weight vectors and 1 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_1x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00;
        a00 = Vector512<float>.Zero;
        nint tap = 16, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
    }

    /// <summary>1 pixel(s) × 2 output block(s): 2 accumulators; per tap 2 weight vectors and 1 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_1x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01;
        a00 = a01 = Vector512<float>.Zero;
        nint tap = 32, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
    }

    /// <summary>1 pixel(s) × 3 output block(s): 3 accumulators; per tap 3 weight vectors and 1 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_1x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02;
        a00 = a01 = a02 = Vector512<float>.Zero;
        nint tap = 48, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
    }

    /// <summary>1 pixel(s) × 4 output block(s): 4 accumulators; per tap 4 weight vectors and 1 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_1x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a03;
        a00 = a01 = a02 = a03 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> w3 = Vector512.Load(wc + 48);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 0) : default), y + 3 * outBlock + 0);
    }

    /// <summary>2 pixel(s) × 1 output block(s): 2 accumulators; per tap 1 weight vectors and 2 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_2x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10;
        a00 = a10 = Vector512<float>.Zero;
        nint tap = 16, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
    }

    /// <summary>2 pixel(s) × 2 output block(s): 4 accumulators; per tap 2 weight vectors and 2 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_2x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a10, a11;
        a00 = a01 = a10 = a11 = Vector512<float>.Zero;
        nint tap = 32, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
    }

    /// <summary>2 pixel(s) × 3 output block(s): 6 accumulators; per tap 3 weight vectors and 2 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_2x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a10, a11, a12;
        a00 = a01 = a02 = a10 = a11 = a12 = Vector512<float>.Zero;
        nint tap = 48, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
    }

    /// <summary>2 pixel(s) × 4 output block(s): 8 accumulators; per tap 4 weight vectors and 2 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_2x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> w3 = Vector512.Load(wc + 48);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 0) : default), y + 3 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
    }

    /// <summary>3 pixel(s) × 1 output block(s): 3 accumulators; per tap 1 weight vectors and 3 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_3x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20;
        a00 = a10 = a20 = Vector512<float>.Zero;
        nint tap = 16, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
    }

    /// <summary>3 pixel(s) × 2 output block(s): 6 accumulators; per tap 2 weight vectors and 3 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_3x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a10, a11, a20, a21;
        a00 = a01 = a10 = a11 = a20 = a21 = Vector512<float>.Zero;
        nint tap = 32, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
    }

    /// <summary>3 pixel(s) × 3 output block(s): 9 accumulators; per tap 3 weight vectors and 3 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_3x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = Vector512<float>.Zero;
        nint tap = 48, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
    }

    /// <summary>3 pixel(s) × 4 output block(s): 12 accumulators; per tap 4 weight vectors and 3 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_3x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> w3 = Vector512.Load(wc + 48);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22); a23 = Vector512.FusedMultiplyAdd(s2, w3, a23);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 0) : default), y + 3 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a23, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 32) : default), y + 3 * outBlock + 32);
    }

    /// <summary>4 pixel(s) × 1 output block(s): 4 accumulators; per tap 1 weight vectors and 4 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_4x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30;
        a00 = a10 = a20 = a30 = Vector512<float>.Zero;
        nint tap = 16, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
    }

    /// <summary>4 pixel(s) × 2 output block(s): 8 accumulators; per tap 2 weight vectors and 4 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_4x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = Vector512<float>.Zero;
        nint tap = 32, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
    }

    /// <summary>4 pixel(s) × 3 output block(s): 12 accumulators; per tap 3 weight vectors and 4 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_4x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = Vector512<float>.Zero;
        nint tap = 48, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
    }

    /// <summary>4 pixel(s) × 4 output block(s): 16 accumulators; per tap 4 weight vectors and 4 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_4x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> w3 = Vector512.Load(wc + 48);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22); a23 = Vector512.FusedMultiplyAdd(s2, w3, a23);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32); a33 = Vector512.FusedMultiplyAdd(s3, w3, a33);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 0) : default), y + 3 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a23, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 32) : default), y + 3 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a33, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 48) : default), y + 3 * outBlock + 48);
    }

    /// <summary>5 pixel(s) × 1 output block(s): 5 accumulators; per tap 1 weight vectors and 5 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_5x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30, a40;
        a00 = a10 = a20 = a30 = a40 = Vector512<float>.Zero;
        nint tap = 16, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                    Vector512<float> s4 = Vector512.Create(xc[4 * pixel]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
    }

    /// <summary>5 pixel(s) × 2 output block(s): 10 accumulators; per tap 2 weight vectors and 5 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_5x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = Vector512<float>.Zero;
        nint tap = 32, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31);
                    Vector512<float> s4 = Vector512.Create(xc[4 * pixel]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
    }

    /// <summary>5 pixel(s) × 3 output block(s): 15 accumulators; per tap 3 weight vectors and 5 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_5x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32, a40, a41, a42;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = a40 = a41 = a42 = Vector512<float>.Zero;
        nint tap = 48, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32);
                    Vector512<float> s4 = Vector512.Create(xc[4 * pixel]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41); a42 = Vector512.FusedMultiplyAdd(s4, w2, a42);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a42, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 64) : default), y + 2 * outBlock + 64);
    }

    /// <summary>5 pixel(s) × 4 output block(s): 20 accumulators; per tap 4 weight vectors and 5 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_5x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33, a40, a41, a42, a43;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = a40 = a41 = a42 = a43 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> w3 = Vector512.Load(wc + 48);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22); a23 = Vector512.FusedMultiplyAdd(s2, w3, a23);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32); a33 = Vector512.FusedMultiplyAdd(s3, w3, a33);
                    Vector512<float> s4 = Vector512.Create(xc[4 * pixel]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41); a42 = Vector512.FusedMultiplyAdd(s4, w2, a42); a43 = Vector512.FusedMultiplyAdd(s4, w3, a43);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 0) : default), y + 3 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a23, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 32) : default), y + 3 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a33, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 48) : default), y + 3 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a42, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 64) : default), y + 2 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a43, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 64) : default), y + 3 * outBlock + 64);
    }

    /// <summary>6 pixel(s) × 1 output block(s): 6 accumulators; per tap 1 weight vectors and 6 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_6x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a10, a20, a30, a40, a50;
        a00 = a10 = a20 = a30 = a40 = a50 = Vector512<float>.Zero;
        nint tap = 16, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30);
                    Vector512<float> s4 = Vector512.Create(xc[4 * pixel]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40);
                    Vector512<float> s5 = Vector512.Create(xc[5 * pixel]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
    }

    /// <summary>6 pixel(s) × 2 output block(s): 12 accumulators; per tap 2 weight vectors and 6 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_6x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51;
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = Vector512<float>.Zero;
        nint tap = 32, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31);
                    Vector512<float> s4 = Vector512.Create(xc[4 * pixel]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41);
                    Vector512<float> s5 = Vector512.Create(xc[5 * pixel]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50); a51 = Vector512.FusedMultiplyAdd(s5, w1, a51);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a51, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 80) : default), y + 1 * outBlock + 80);
    }

    /// <summary>6 pixel(s) × 3 output block(s): 18 accumulators; per tap 3 weight vectors and 6 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_6x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32, a40, a41, a42, a50, a51, a52;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = a40 = a41 = a42 = a50 = a51 = a52 = Vector512<float>.Zero;
        nint tap = 48, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32);
                    Vector512<float> s4 = Vector512.Create(xc[4 * pixel]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41); a42 = Vector512.FusedMultiplyAdd(s4, w2, a42);
                    Vector512<float> s5 = Vector512.Create(xc[5 * pixel]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50); a51 = Vector512.FusedMultiplyAdd(s5, w1, a51); a52 = Vector512.FusedMultiplyAdd(s5, w2, a52);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a42, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 64) : default), y + 2 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a51, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 80) : default), y + 1 * outBlock + 80);
        Vector512.Store(TEpilogue.Apply(a52, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 80) : default), y + 2 * outBlock + 80);
    }

    /// <summary>6 pixel(s) × 4 output block(s): 24 accumulators; per tap 4 weight vectors and 6 broadcast input values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem_6x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, StemArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33, a40, a41, a42, a43, a50, a51, a52, a53;
        a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = a40 = a41 = a42 = a43 = a50 = a51 = a52 = a53 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->KW * tap, filterChannel = args->KH * filterRow, pixel = args->PixelStep;
        for (nint c = args->Channels; c > 0; c--, x += args->ChannelStride, w += filterChannel)
        {
            float* xr = x, wr = w;
            for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
            {
                float* xc = xr, wc = wr;
                for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
                {
                    Vector512<float> w0 = Vector512.Load(wc + 0);
                    Vector512<float> w1 = Vector512.Load(wc + 16);
                    Vector512<float> w2 = Vector512.Load(wc + 32);
                    Vector512<float> w3 = Vector512.Load(wc + 48);
                    Vector512<float> s0 = Vector512.Create(xc[0]); a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01); a02 = Vector512.FusedMultiplyAdd(s0, w2, a02); a03 = Vector512.FusedMultiplyAdd(s0, w3, a03);
                    Vector512<float> s1 = Vector512.Create(xc[1 * pixel]); a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11); a12 = Vector512.FusedMultiplyAdd(s1, w2, a12); a13 = Vector512.FusedMultiplyAdd(s1, w3, a13);
                    Vector512<float> s2 = Vector512.Create(xc[2 * pixel]); a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21); a22 = Vector512.FusedMultiplyAdd(s2, w2, a22); a23 = Vector512.FusedMultiplyAdd(s2, w3, a23);
                    Vector512<float> s3 = Vector512.Create(xc[3 * pixel]); a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31); a32 = Vector512.FusedMultiplyAdd(s3, w2, a32); a33 = Vector512.FusedMultiplyAdd(s3, w3, a33);
                    Vector512<float> s4 = Vector512.Create(xc[4 * pixel]); a40 = Vector512.FusedMultiplyAdd(s4, w0, a40); a41 = Vector512.FusedMultiplyAdd(s4, w1, a41); a42 = Vector512.FusedMultiplyAdd(s4, w2, a42); a43 = Vector512.FusedMultiplyAdd(s4, w3, a43);
                    Vector512<float> s5 = Vector512.Create(xc[5 * pixel]); a50 = Vector512.FusedMultiplyAdd(s5, w0, a50); a51 = Vector512.FusedMultiplyAdd(s5, w1, a51); a52 = Vector512.FusedMultiplyAdd(s5, w2, a52); a53 = Vector512.FusedMultiplyAdd(s5, w3, a53);
                }
            }
        }
        nint outBlock = args->OutBlockStride;
        Vector512<float> bias0 = Vector512.Load(bias + 0);
        Vector512<float> bias1 = Vector512.Load(bias + 16);
        Vector512<float> bias2 = Vector512.Load(bias + 32);
        Vector512<float> bias3 = Vector512.Load(bias + 48);
        Vector512.Store(TEpilogue.Apply(a00, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512.Store(TEpilogue.Apply(a01, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 0) : default), y + 1 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a02, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 0) : default), y + 2 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a03, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 0) : default), y + 3 * outBlock + 0);
        Vector512.Store(TEpilogue.Apply(a10, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512.Store(TEpilogue.Apply(a11, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 16) : default), y + 1 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a12, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 16) : default), y + 2 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a13, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 16) : default), y + 3 * outBlock + 16);
        Vector512.Store(TEpilogue.Apply(a20, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512.Store(TEpilogue.Apply(a21, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 32) : default), y + 1 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a22, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 32) : default), y + 2 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a23, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 32) : default), y + 3 * outBlock + 32);
        Vector512.Store(TEpilogue.Apply(a30, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512.Store(TEpilogue.Apply(a31, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 48) : default), y + 1 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a32, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 48) : default), y + 2 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a33, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 48) : default), y + 3 * outBlock + 48);
        Vector512.Store(TEpilogue.Apply(a40, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512.Store(TEpilogue.Apply(a41, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 64) : default), y + 1 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a42, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 64) : default), y + 2 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a43, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 64) : default), y + 3 * outBlock + 64);
        Vector512.Store(TEpilogue.Apply(a50, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
        Vector512.Store(TEpilogue.Apply(a51, bias1, TEpilogue.ReadsResidual ? Vector512.Load(residual + 1 * outBlock + 80) : default), y + 1 * outBlock + 80);
        Vector512.Store(TEpilogue.Apply(a52, bias2, TEpilogue.ReadsResidual ? Vector512.Load(residual + 2 * outBlock + 80) : default), y + 2 * outBlock + 80);
        Vector512.Store(TEpilogue.Apply(a53, bias3, TEpilogue.ReadsResidual ? Vector512.Load(residual + 3 * outBlock + 80) : default), y + 3 * outBlock + 80);
    }
}
