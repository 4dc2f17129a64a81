using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Cardinal.Epilogues;

namespace Cardinal.Kernels.Cpu.Nchwc;

// Written out per (group width, pixels) by a short generator (tools/kernel-gen/diagonal-grouped.py):
// the JIT does not unroll loops, and each accumulator must be its own local to stay in a register.
internal sealed unsafe partial class GroupedDiagonalPlan
{
    /// <summary>One tile of <paramref name="pixels"/> output pixels of one block, groups of <paramref name="width"/> (4: 1–6 pixels, 8: 1–3).</summary>
    internal static void Tile_Avx512<TEpilogue>(int width, int pixels, float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        switch (width * 8 + pixels)
        {
            case 33: Diag4x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 34: Diag4x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 35: Diag4x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 36: Diag4x4_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 37: Diag4x5_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 38: Diag4x6_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 65: Diag8x1_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 66: Diag8x2_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 67: Diag8x3_Avx512<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            default: throw new ArgumentOutOfRangeException(nameof(pixels), $"No diagonal tile of {pixels} pixels for groups of {width}.");
        }
    }

    /// <summary>1 pixel(s), groups of 4: 4 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag4x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3;
        a0_0 = a0_1 = a0_2 = a0_3 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
        Vector512<int> r2 = Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
        Vector512<int> r3 = Vector512.Create(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
    }

    /// <summary>2 pixel(s), groups of 4: 8 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag4x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3, a1_0, a1_1, a1_2, a1_3;
        a0_0 = a0_1 = a0_2 = a0_3 = a1_0 = a1_1 = a1_2 = a1_3 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> x1 = Vector512.Load(xc + 1 * pixel);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0); a1_0 = Vector512.FusedMultiplyAdd(x1, w0, a1_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1); a1_1 = Vector512.FusedMultiplyAdd(x1, w1, a1_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2); a1_2 = Vector512.FusedMultiplyAdd(x1, w2, a1_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3); a1_3 = Vector512.FusedMultiplyAdd(x1, w3, a1_3);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
        Vector512<int> r2 = Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
        Vector512<int> r3 = Vector512.Create(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512<float> s1 = a1_0 + Avx512F.PermuteVar16x32(a1_1, r1) + Avx512F.PermuteVar16x32(a1_2, r2) + Avx512F.PermuteVar16x32(a1_3, r3);
        Vector512.Store(TEpilogue.Apply(s1, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
    }

    /// <summary>3 pixel(s), groups of 4: 12 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag4x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3, a1_0, a1_1, a1_2, a1_3, a2_0, a2_1, a2_2, a2_3;
        a0_0 = a0_1 = a0_2 = a0_3 = a1_0 = a1_1 = a1_2 = a1_3 = a2_0 = a2_1 = a2_2 = a2_3 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> x1 = Vector512.Load(xc + 1 * pixel);
                Vector512<float> x2 = Vector512.Load(xc + 2 * pixel);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0); a1_0 = Vector512.FusedMultiplyAdd(x1, w0, a1_0); a2_0 = Vector512.FusedMultiplyAdd(x2, w0, a2_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1); a1_1 = Vector512.FusedMultiplyAdd(x1, w1, a1_1); a2_1 = Vector512.FusedMultiplyAdd(x2, w1, a2_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2); a1_2 = Vector512.FusedMultiplyAdd(x1, w2, a1_2); a2_2 = Vector512.FusedMultiplyAdd(x2, w2, a2_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3); a1_3 = Vector512.FusedMultiplyAdd(x1, w3, a1_3); a2_3 = Vector512.FusedMultiplyAdd(x2, w3, a2_3);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
        Vector512<int> r2 = Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
        Vector512<int> r3 = Vector512.Create(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512<float> s1 = a1_0 + Avx512F.PermuteVar16x32(a1_1, r1) + Avx512F.PermuteVar16x32(a1_2, r2) + Avx512F.PermuteVar16x32(a1_3, r3);
        Vector512.Store(TEpilogue.Apply(s1, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512<float> s2 = a2_0 + Avx512F.PermuteVar16x32(a2_1, r1) + Avx512F.PermuteVar16x32(a2_2, r2) + Avx512F.PermuteVar16x32(a2_3, r3);
        Vector512.Store(TEpilogue.Apply(s2, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
    }

    /// <summary>4 pixel(s), groups of 4: 16 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag4x4_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3, a1_0, a1_1, a1_2, a1_3, a2_0, a2_1, a2_2, a2_3, a3_0, a3_1, a3_2, a3_3;
        a0_0 = a0_1 = a0_2 = a0_3 = a1_0 = a1_1 = a1_2 = a1_3 = a2_0 = a2_1 = a2_2 = a2_3 = a3_0 = a3_1 = a3_2 = a3_3 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> x1 = Vector512.Load(xc + 1 * pixel);
                Vector512<float> x2 = Vector512.Load(xc + 2 * pixel);
                Vector512<float> x3 = Vector512.Load(xc + 3 * pixel);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0); a1_0 = Vector512.FusedMultiplyAdd(x1, w0, a1_0); a2_0 = Vector512.FusedMultiplyAdd(x2, w0, a2_0); a3_0 = Vector512.FusedMultiplyAdd(x3, w0, a3_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1); a1_1 = Vector512.FusedMultiplyAdd(x1, w1, a1_1); a2_1 = Vector512.FusedMultiplyAdd(x2, w1, a2_1); a3_1 = Vector512.FusedMultiplyAdd(x3, w1, a3_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2); a1_2 = Vector512.FusedMultiplyAdd(x1, w2, a1_2); a2_2 = Vector512.FusedMultiplyAdd(x2, w2, a2_2); a3_2 = Vector512.FusedMultiplyAdd(x3, w2, a3_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3); a1_3 = Vector512.FusedMultiplyAdd(x1, w3, a1_3); a2_3 = Vector512.FusedMultiplyAdd(x2, w3, a2_3); a3_3 = Vector512.FusedMultiplyAdd(x3, w3, a3_3);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
        Vector512<int> r2 = Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
        Vector512<int> r3 = Vector512.Create(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512<float> s1 = a1_0 + Avx512F.PermuteVar16x32(a1_1, r1) + Avx512F.PermuteVar16x32(a1_2, r2) + Avx512F.PermuteVar16x32(a1_3, r3);
        Vector512.Store(TEpilogue.Apply(s1, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512<float> s2 = a2_0 + Avx512F.PermuteVar16x32(a2_1, r1) + Avx512F.PermuteVar16x32(a2_2, r2) + Avx512F.PermuteVar16x32(a2_3, r3);
        Vector512.Store(TEpilogue.Apply(s2, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512<float> s3 = a3_0 + Avx512F.PermuteVar16x32(a3_1, r1) + Avx512F.PermuteVar16x32(a3_2, r2) + Avx512F.PermuteVar16x32(a3_3, r3);
        Vector512.Store(TEpilogue.Apply(s3, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
    }

    /// <summary>5 pixel(s), groups of 4: 20 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag4x5_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3, a1_0, a1_1, a1_2, a1_3, a2_0, a2_1, a2_2, a2_3, a3_0, a3_1, a3_2, a3_3, a4_0, a4_1, a4_2, a4_3;
        a0_0 = a0_1 = a0_2 = a0_3 = a1_0 = a1_1 = a1_2 = a1_3 = a2_0 = a2_1 = a2_2 = a2_3 = a3_0 = a3_1 = a3_2 = a3_3 = a4_0 = a4_1 = a4_2 = a4_3 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> x1 = Vector512.Load(xc + 1 * pixel);
                Vector512<float> x2 = Vector512.Load(xc + 2 * pixel);
                Vector512<float> x3 = Vector512.Load(xc + 3 * pixel);
                Vector512<float> x4 = Vector512.Load(xc + 4 * pixel);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0); a1_0 = Vector512.FusedMultiplyAdd(x1, w0, a1_0); a2_0 = Vector512.FusedMultiplyAdd(x2, w0, a2_0); a3_0 = Vector512.FusedMultiplyAdd(x3, w0, a3_0); a4_0 = Vector512.FusedMultiplyAdd(x4, w0, a4_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1); a1_1 = Vector512.FusedMultiplyAdd(x1, w1, a1_1); a2_1 = Vector512.FusedMultiplyAdd(x2, w1, a2_1); a3_1 = Vector512.FusedMultiplyAdd(x3, w1, a3_1); a4_1 = Vector512.FusedMultiplyAdd(x4, w1, a4_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2); a1_2 = Vector512.FusedMultiplyAdd(x1, w2, a1_2); a2_2 = Vector512.FusedMultiplyAdd(x2, w2, a2_2); a3_2 = Vector512.FusedMultiplyAdd(x3, w2, a3_2); a4_2 = Vector512.FusedMultiplyAdd(x4, w2, a4_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3); a1_3 = Vector512.FusedMultiplyAdd(x1, w3, a1_3); a2_3 = Vector512.FusedMultiplyAdd(x2, w3, a2_3); a3_3 = Vector512.FusedMultiplyAdd(x3, w3, a3_3); a4_3 = Vector512.FusedMultiplyAdd(x4, w3, a4_3);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
        Vector512<int> r2 = Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
        Vector512<int> r3 = Vector512.Create(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512<float> s1 = a1_0 + Avx512F.PermuteVar16x32(a1_1, r1) + Avx512F.PermuteVar16x32(a1_2, r2) + Avx512F.PermuteVar16x32(a1_3, r3);
        Vector512.Store(TEpilogue.Apply(s1, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512<float> s2 = a2_0 + Avx512F.PermuteVar16x32(a2_1, r1) + Avx512F.PermuteVar16x32(a2_2, r2) + Avx512F.PermuteVar16x32(a2_3, r3);
        Vector512.Store(TEpilogue.Apply(s2, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512<float> s3 = a3_0 + Avx512F.PermuteVar16x32(a3_1, r1) + Avx512F.PermuteVar16x32(a3_2, r2) + Avx512F.PermuteVar16x32(a3_3, r3);
        Vector512.Store(TEpilogue.Apply(s3, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512<float> s4 = a4_0 + Avx512F.PermuteVar16x32(a4_1, r1) + Avx512F.PermuteVar16x32(a4_2, r2) + Avx512F.PermuteVar16x32(a4_3, r3);
        Vector512.Store(TEpilogue.Apply(s4, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
    }

    /// <summary>6 pixel(s), groups of 4: 24 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag4x6_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3, a1_0, a1_1, a1_2, a1_3, a2_0, a2_1, a2_2, a2_3, a3_0, a3_1, a3_2, a3_3, a4_0, a4_1, a4_2, a4_3, a5_0, a5_1, a5_2, a5_3;
        a0_0 = a0_1 = a0_2 = a0_3 = a1_0 = a1_1 = a1_2 = a1_3 = a2_0 = a2_1 = a2_2 = a2_3 = a3_0 = a3_1 = a3_2 = a3_3 = a4_0 = a4_1 = a4_2 = a4_3 = a5_0 = a5_1 = a5_2 = a5_3 = Vector512<float>.Zero;
        nint tap = 64, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> x1 = Vector512.Load(xc + 1 * pixel);
                Vector512<float> x2 = Vector512.Load(xc + 2 * pixel);
                Vector512<float> x3 = Vector512.Load(xc + 3 * pixel);
                Vector512<float> x4 = Vector512.Load(xc + 4 * pixel);
                Vector512<float> x5 = Vector512.Load(xc + 5 * pixel);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0); a1_0 = Vector512.FusedMultiplyAdd(x1, w0, a1_0); a2_0 = Vector512.FusedMultiplyAdd(x2, w0, a2_0); a3_0 = Vector512.FusedMultiplyAdd(x3, w0, a3_0); a4_0 = Vector512.FusedMultiplyAdd(x4, w0, a4_0); a5_0 = Vector512.FusedMultiplyAdd(x5, w0, a5_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1); a1_1 = Vector512.FusedMultiplyAdd(x1, w1, a1_1); a2_1 = Vector512.FusedMultiplyAdd(x2, w1, a2_1); a3_1 = Vector512.FusedMultiplyAdd(x3, w1, a3_1); a4_1 = Vector512.FusedMultiplyAdd(x4, w1, a4_1); a5_1 = Vector512.FusedMultiplyAdd(x5, w1, a5_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2); a1_2 = Vector512.FusedMultiplyAdd(x1, w2, a1_2); a2_2 = Vector512.FusedMultiplyAdd(x2, w2, a2_2); a3_2 = Vector512.FusedMultiplyAdd(x3, w2, a3_2); a4_2 = Vector512.FusedMultiplyAdd(x4, w2, a4_2); a5_2 = Vector512.FusedMultiplyAdd(x5, w2, a5_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3); a1_3 = Vector512.FusedMultiplyAdd(x1, w3, a1_3); a2_3 = Vector512.FusedMultiplyAdd(x2, w3, a2_3); a3_3 = Vector512.FusedMultiplyAdd(x3, w3, a3_3); a4_3 = Vector512.FusedMultiplyAdd(x4, w3, a4_3); a5_3 = Vector512.FusedMultiplyAdd(x5, w3, a5_3);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
        Vector512<int> r2 = Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
        Vector512<int> r3 = Vector512.Create(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512<float> s1 = a1_0 + Avx512F.PermuteVar16x32(a1_1, r1) + Avx512F.PermuteVar16x32(a1_2, r2) + Avx512F.PermuteVar16x32(a1_3, r3);
        Vector512.Store(TEpilogue.Apply(s1, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512<float> s2 = a2_0 + Avx512F.PermuteVar16x32(a2_1, r1) + Avx512F.PermuteVar16x32(a2_2, r2) + Avx512F.PermuteVar16x32(a2_3, r3);
        Vector512.Store(TEpilogue.Apply(s2, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
        Vector512<float> s3 = a3_0 + Avx512F.PermuteVar16x32(a3_1, r1) + Avx512F.PermuteVar16x32(a3_2, r2) + Avx512F.PermuteVar16x32(a3_3, r3);
        Vector512.Store(TEpilogue.Apply(s3, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 48) : default), y + 48);
        Vector512<float> s4 = a4_0 + Avx512F.PermuteVar16x32(a4_1, r1) + Avx512F.PermuteVar16x32(a4_2, r2) + Avx512F.PermuteVar16x32(a4_3, r3);
        Vector512.Store(TEpilogue.Apply(s4, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 64) : default), y + 64);
        Vector512<float> s5 = a5_0 + Avx512F.PermuteVar16x32(a5_1, r1) + Avx512F.PermuteVar16x32(a5_2, r2) + Avx512F.PermuteVar16x32(a5_3, r3);
        Vector512.Store(TEpilogue.Apply(s5, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 80) : default), y + 80);
    }

    /// <summary>1 pixel(s), groups of 8: 8 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag8x1_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3, a0_4, a0_5, a0_6, a0_7;
        a0_0 = a0_1 = a0_2 = a0_3 = a0_4 = a0_5 = a0_6 = a0_7 = Vector512<float>.Zero;
        nint tap = 128, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3);
                Vector512<float> w4 = Vector512.Load(wc + 64); a0_4 = Vector512.FusedMultiplyAdd(x0, w4, a0_4);
                Vector512<float> w5 = Vector512.Load(wc + 80); a0_5 = Vector512.FusedMultiplyAdd(x0, w5, a0_5);
                Vector512<float> w6 = Vector512.Load(wc + 96); a0_6 = Vector512.FusedMultiplyAdd(x0, w6, a0_6);
                Vector512<float> w7 = Vector512.Load(wc + 112); a0_7 = Vector512.FusedMultiplyAdd(x0, w7, a0_7);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8);
        Vector512<int> r2 = Vector512.Create(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
        Vector512<int> r3 = Vector512.Create(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
        Vector512<int> r4 = Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
        Vector512<int> r5 = Vector512.Create(5, 6, 7, 0, 1, 2, 3, 4, 13, 14, 15, 8, 9, 10, 11, 12);
        Vector512<int> r6 = Vector512.Create(6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
        Vector512<int> r7 = Vector512.Create(7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3) + Avx512F.PermuteVar16x32(a0_4, r4) + Avx512F.PermuteVar16x32(a0_5, r5) + Avx512F.PermuteVar16x32(a0_6, r6) + Avx512F.PermuteVar16x32(a0_7, r7);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
    }

    /// <summary>2 pixel(s), groups of 8: 16 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag8x2_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3, a0_4, a0_5, a0_6, a0_7, a1_0, a1_1, a1_2, a1_3, a1_4, a1_5, a1_6, a1_7;
        a0_0 = a0_1 = a0_2 = a0_3 = a0_4 = a0_5 = a0_6 = a0_7 = a1_0 = a1_1 = a1_2 = a1_3 = a1_4 = a1_5 = a1_6 = a1_7 = Vector512<float>.Zero;
        nint tap = 128, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> x1 = Vector512.Load(xc + 1 * pixel);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0); a1_0 = Vector512.FusedMultiplyAdd(x1, w0, a1_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1); a1_1 = Vector512.FusedMultiplyAdd(x1, w1, a1_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2); a1_2 = Vector512.FusedMultiplyAdd(x1, w2, a1_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3); a1_3 = Vector512.FusedMultiplyAdd(x1, w3, a1_3);
                Vector512<float> w4 = Vector512.Load(wc + 64); a0_4 = Vector512.FusedMultiplyAdd(x0, w4, a0_4); a1_4 = Vector512.FusedMultiplyAdd(x1, w4, a1_4);
                Vector512<float> w5 = Vector512.Load(wc + 80); a0_5 = Vector512.FusedMultiplyAdd(x0, w5, a0_5); a1_5 = Vector512.FusedMultiplyAdd(x1, w5, a1_5);
                Vector512<float> w6 = Vector512.Load(wc + 96); a0_6 = Vector512.FusedMultiplyAdd(x0, w6, a0_6); a1_6 = Vector512.FusedMultiplyAdd(x1, w6, a1_6);
                Vector512<float> w7 = Vector512.Load(wc + 112); a0_7 = Vector512.FusedMultiplyAdd(x0, w7, a0_7); a1_7 = Vector512.FusedMultiplyAdd(x1, w7, a1_7);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8);
        Vector512<int> r2 = Vector512.Create(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
        Vector512<int> r3 = Vector512.Create(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
        Vector512<int> r4 = Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
        Vector512<int> r5 = Vector512.Create(5, 6, 7, 0, 1, 2, 3, 4, 13, 14, 15, 8, 9, 10, 11, 12);
        Vector512<int> r6 = Vector512.Create(6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
        Vector512<int> r7 = Vector512.Create(7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3) + Avx512F.PermuteVar16x32(a0_4, r4) + Avx512F.PermuteVar16x32(a0_5, r5) + Avx512F.PermuteVar16x32(a0_6, r6) + Avx512F.PermuteVar16x32(a0_7, r7);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512<float> s1 = a1_0 + Avx512F.PermuteVar16x32(a1_1, r1) + Avx512F.PermuteVar16x32(a1_2, r2) + Avx512F.PermuteVar16x32(a1_3, r3) + Avx512F.PermuteVar16x32(a1_4, r4) + Avx512F.PermuteVar16x32(a1_5, r5) + Avx512F.PermuteVar16x32(a1_6, r6) + Avx512F.PermuteVar16x32(a1_7, r7);
        Vector512.Store(TEpilogue.Apply(s1, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
    }

    /// <summary>3 pixel(s), groups of 8: 24 accumulators (pixel × rotation), one weight vector per rotation and tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag8x3_Avx512<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector512<float> a0_0, a0_1, a0_2, a0_3, a0_4, a0_5, a0_6, a0_7, a1_0, a1_1, a1_2, a1_3, a1_4, a1_5, a1_6, a1_7, a2_0, a2_1, a2_2, a2_3, a2_4, a2_5, a2_6, a2_7;
        a0_0 = a0_1 = a0_2 = a0_3 = a0_4 = a0_5 = a0_6 = a0_7 = a1_0 = a1_1 = a1_2 = a1_3 = a1_4 = a1_5 = a1_6 = a1_7 = a2_0 = a2_1 = a2_2 = a2_3 = a2_4 = a2_5 = a2_6 = a2_7 = Vector512<float>.Zero;
        nint tap = 128, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector512<float> x0 = Vector512.Load(xc);
                Vector512<float> x1 = Vector512.Load(xc + 1 * pixel);
                Vector512<float> x2 = Vector512.Load(xc + 2 * pixel);
                Vector512<float> w0 = Vector512.Load(wc + 0); a0_0 = Vector512.FusedMultiplyAdd(x0, w0, a0_0); a1_0 = Vector512.FusedMultiplyAdd(x1, w0, a1_0); a2_0 = Vector512.FusedMultiplyAdd(x2, w0, a2_0);
                Vector512<float> w1 = Vector512.Load(wc + 16); a0_1 = Vector512.FusedMultiplyAdd(x0, w1, a0_1); a1_1 = Vector512.FusedMultiplyAdd(x1, w1, a1_1); a2_1 = Vector512.FusedMultiplyAdd(x2, w1, a2_1);
                Vector512<float> w2 = Vector512.Load(wc + 32); a0_2 = Vector512.FusedMultiplyAdd(x0, w2, a0_2); a1_2 = Vector512.FusedMultiplyAdd(x1, w2, a1_2); a2_2 = Vector512.FusedMultiplyAdd(x2, w2, a2_2);
                Vector512<float> w3 = Vector512.Load(wc + 48); a0_3 = Vector512.FusedMultiplyAdd(x0, w3, a0_3); a1_3 = Vector512.FusedMultiplyAdd(x1, w3, a1_3); a2_3 = Vector512.FusedMultiplyAdd(x2, w3, a2_3);
                Vector512<float> w4 = Vector512.Load(wc + 64); a0_4 = Vector512.FusedMultiplyAdd(x0, w4, a0_4); a1_4 = Vector512.FusedMultiplyAdd(x1, w4, a1_4); a2_4 = Vector512.FusedMultiplyAdd(x2, w4, a2_4);
                Vector512<float> w5 = Vector512.Load(wc + 80); a0_5 = Vector512.FusedMultiplyAdd(x0, w5, a0_5); a1_5 = Vector512.FusedMultiplyAdd(x1, w5, a1_5); a2_5 = Vector512.FusedMultiplyAdd(x2, w5, a2_5);
                Vector512<float> w6 = Vector512.Load(wc + 96); a0_6 = Vector512.FusedMultiplyAdd(x0, w6, a0_6); a1_6 = Vector512.FusedMultiplyAdd(x1, w6, a1_6); a2_6 = Vector512.FusedMultiplyAdd(x2, w6, a2_6);
                Vector512<float> w7 = Vector512.Load(wc + 112); a0_7 = Vector512.FusedMultiplyAdd(x0, w7, a0_7); a1_7 = Vector512.FusedMultiplyAdd(x1, w7, a1_7); a2_7 = Vector512.FusedMultiplyAdd(x2, w7, a2_7);
            }
        }
        Vector512<int> r1 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8);
        Vector512<int> r2 = Vector512.Create(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
        Vector512<int> r3 = Vector512.Create(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
        Vector512<int> r4 = Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
        Vector512<int> r5 = Vector512.Create(5, 6, 7, 0, 1, 2, 3, 4, 13, 14, 15, 8, 9, 10, 11, 12);
        Vector512<int> r6 = Vector512.Create(6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
        Vector512<int> r7 = Vector512.Create(7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14);
        Vector512<float> bias0 = Vector512.Load(bias);
        Vector512<float> s0 = a0_0 + Avx512F.PermuteVar16x32(a0_1, r1) + Avx512F.PermuteVar16x32(a0_2, r2) + Avx512F.PermuteVar16x32(a0_3, r3) + Avx512F.PermuteVar16x32(a0_4, r4) + Avx512F.PermuteVar16x32(a0_5, r5) + Avx512F.PermuteVar16x32(a0_6, r6) + Avx512F.PermuteVar16x32(a0_7, r7);
        Vector512.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 0) : default), y + 0);
        Vector512<float> s1 = a1_0 + Avx512F.PermuteVar16x32(a1_1, r1) + Avx512F.PermuteVar16x32(a1_2, r2) + Avx512F.PermuteVar16x32(a1_3, r3) + Avx512F.PermuteVar16x32(a1_4, r4) + Avx512F.PermuteVar16x32(a1_5, r5) + Avx512F.PermuteVar16x32(a1_6, r6) + Avx512F.PermuteVar16x32(a1_7, r7);
        Vector512.Store(TEpilogue.Apply(s1, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 16) : default), y + 16);
        Vector512<float> s2 = a2_0 + Avx512F.PermuteVar16x32(a2_1, r1) + Avx512F.PermuteVar16x32(a2_2, r2) + Avx512F.PermuteVar16x32(a2_3, r3) + Avx512F.PermuteVar16x32(a2_4, r4) + Avx512F.PermuteVar16x32(a2_5, r5) + Avx512F.PermuteVar16x32(a2_6, r6) + Avx512F.PermuteVar16x32(a2_7, r7);
        Vector512.Store(TEpilogue.Apply(s2, bias0, TEpilogue.ReadsResidual ? Vector512.Load(residual + 32) : default), y + 32);
    }

    /// <summary>AVX2 (b = 8): one tile of <paramref name="pixels"/> ∈ {1, 2} output pixels of one block, groups of 4.</summary>
    internal static void Tile_Avx2<TEpilogue>(int width, int pixels, float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        switch (width * 8 + pixels)
        {
            case 33: Diag4x1_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            case 34: Diag4x2_Avx2<TEpilogue>(x, w, y, residual, bias, args, khCount, kwCount); break;
            default: throw new ArgumentOutOfRangeException(nameof(pixels), $"No AVX2 diagonal tile of {pixels} pixels for groups of {width}.");
        }
    }

    /// <summary>AVX2, 1 pixel(s), groups of 4: 4 accumulators (pixel × rotation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag4x1_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector256<float> a0_0, a0_1, a0_2, a0_3;
        a0_0 = a0_1 = a0_2 = a0_3 = Vector256<float>.Zero;
        nint tap = 32, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector256<float> x0 = Vector256.Load(xc);
                Vector256<float> w0 = Vector256.Load(wc + 0); a0_0 = Vector256.FusedMultiplyAdd(x0, w0, a0_0);
                Vector256<float> w1 = Vector256.Load(wc + 8); a0_1 = Vector256.FusedMultiplyAdd(x0, w1, a0_1);
                Vector256<float> w2 = Vector256.Load(wc + 16); a0_2 = Vector256.FusedMultiplyAdd(x0, w2, a0_2);
                Vector256<float> w3 = Vector256.Load(wc + 24); a0_3 = Vector256.FusedMultiplyAdd(x0, w3, a0_3);
            }
        }
        Vector256<int> r1 = Vector256.Create(1, 2, 3, 0, 5, 6, 7, 4);
        Vector256<int> r2 = Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5);
        Vector256<int> r3 = Vector256.Create(3, 0, 1, 2, 7, 4, 5, 6);
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256<float> s0 = a0_0 + Avx2.PermuteVar8x32(a0_1, r1) + Avx2.PermuteVar8x32(a0_2, r2) + Avx2.PermuteVar8x32(a0_3, r3);
        Vector256.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
    }

    /// <summary>AVX2, 2 pixel(s), groups of 4: 8 accumulators (pixel × rotation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diag4x2_Avx2<TEpilogue>(float* x, float* w, float* y, float* residual, float* bias, DiagonalArgs* args, nint khCount, nint kwCount)
        where TEpilogue : struct, IEpilogue
    {
        Vector256<float> a0_0, a0_1, a0_2, a0_3, a1_0, a1_1, a1_2, a1_3;
        a0_0 = a0_1 = a0_2 = a0_3 = a1_0 = a1_1 = a1_2 = a1_3 = Vector256<float>.Zero;
        nint tap = 32, filterRow = args->FilterRow, pixel = args->PixelStep;
        float* xr = x, wr = w;
        for (nint kh = 0; kh < khCount; kh++, xr += args->RowStep, wr += filterRow)
        {
            float* xc = xr, wc = wr;
            for (nint kw = 0; kw < kwCount; kw++, xc += args->ColStep, wc += tap)
            {
                Vector256<float> x0 = Vector256.Load(xc);
                Vector256<float> x1 = Vector256.Load(xc + 1 * pixel);
                Vector256<float> w0 = Vector256.Load(wc + 0); a0_0 = Vector256.FusedMultiplyAdd(x0, w0, a0_0); a1_0 = Vector256.FusedMultiplyAdd(x1, w0, a1_0);
                Vector256<float> w1 = Vector256.Load(wc + 8); a0_1 = Vector256.FusedMultiplyAdd(x0, w1, a0_1); a1_1 = Vector256.FusedMultiplyAdd(x1, w1, a1_1);
                Vector256<float> w2 = Vector256.Load(wc + 16); a0_2 = Vector256.FusedMultiplyAdd(x0, w2, a0_2); a1_2 = Vector256.FusedMultiplyAdd(x1, w2, a1_2);
                Vector256<float> w3 = Vector256.Load(wc + 24); a0_3 = Vector256.FusedMultiplyAdd(x0, w3, a0_3); a1_3 = Vector256.FusedMultiplyAdd(x1, w3, a1_3);
            }
        }
        Vector256<int> r1 = Vector256.Create(1, 2, 3, 0, 5, 6, 7, 4);
        Vector256<int> r2 = Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5);
        Vector256<int> r3 = Vector256.Create(3, 0, 1, 2, 7, 4, 5, 6);
        Vector256<float> bias0 = Vector256.Load(bias);
        Vector256<float> s0 = a0_0 + Avx2.PermuteVar8x32(a0_1, r1) + Avx2.PermuteVar8x32(a0_2, r2) + Avx2.PermuteVar8x32(a0_3, r3);
        Vector256.Store(TEpilogue.Apply(s0, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 0) : default), y + 0);
        Vector256<float> s1 = a1_0 + Avx2.PermuteVar8x32(a1_1, r1) + Avx2.PermuteVar8x32(a1_2, r2) + Avx2.PermuteVar8x32(a1_3, r3);
        Vector256.Store(TEpilogue.Apply(s1, bias0, TEpilogue.ReadsResidual ? Vector256.Load(residual + 8) : default), y + 8);
    }
}
