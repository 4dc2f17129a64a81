using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Cardinal.Kernels.Cpu.Gemm;

/// <summary>
/// Register-blocked microkernels: C[MR×NR] (+)= Apanel·Bpanel over kc, where Apanel is packed
/// [kc][MR] (one column of A's MR rows per k) and Bpanel is packed [kc][NR]. Each keeps the whole C tile
/// in registers: per k it loads NR/W vectors of B, broadcasts MR values of A, and issues MR·NR/W FMAs.
/// Names follow Gemm_&lt;MR&gt;x&lt;NR&gt;_&lt;Isa&gt;. The caller hands full tiles only (edges go through a scratch tile).
/// </summary>
internal static unsafe class SgemmMicroKernels
{
    /// <summary>AVX-512: 8 rows × 32 columns = 16 zmm accumulators, 2 for B, 1 broadcast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm_8x32_Avx512(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        // Lanes: cR0 = C[row R][0..16), cR1 = C[row R][16..32).
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16); c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16); c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16); c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16);
            c60 = Vector512.Load(c + 6 * ldc); c61 = Vector512.Load(c + 6 * ldc + 16); c70 = Vector512.Load(c + 7 * ldc); c71 = Vector512.Load(c + 7 * ldc + 16);
        }
        else c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++, a += 8, b += 32)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> s = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(s, b0, c00); c01 = Avx512F.FusedMultiplyAdd(s, b1, c01);
            s = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(s, b0, c10); c11 = Avx512F.FusedMultiplyAdd(s, b1, c11);
            s = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(s, b0, c20); c21 = Avx512F.FusedMultiplyAdd(s, b1, c21);
            s = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(s, b0, c30); c31 = Avx512F.FusedMultiplyAdd(s, b1, c31);
            s = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(s, b0, c40); c41 = Avx512F.FusedMultiplyAdd(s, b1, c41);
            s = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(s, b0, c50); c51 = Avx512F.FusedMultiplyAdd(s, b1, c51);
            s = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(s, b0, c60); c61 = Avx512F.FusedMultiplyAdd(s, b1, c61);
            s = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(s, b0, c70); c71 = Avx512F.FusedMultiplyAdd(s, b1, c71);
        }
        c00.Store(c); c01.Store(c + 16); c10.Store(c + ldc); c11.Store(c + ldc + 16);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16); c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16); c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
        c60.Store(c + 6 * ldc); c61.Store(c + 6 * ldc + 16); c70.Store(c + 7 * ldc); c71.Store(c + 7 * ldc + 16);
    }

    /// <summary>AVX2+FMA: 6 rows × 16 columns = 12 ymm accumulators, 2 for B, 1 broadcast (15 of 16 registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm_6x16_Avx2(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = Vector256.Load(c); c01 = Vector256.Load(c + 8); c10 = Vector256.Load(c + ldc); c11 = Vector256.Load(c + ldc + 8);
            c20 = Vector256.Load(c + 2 * ldc); c21 = Vector256.Load(c + 2 * ldc + 8); c30 = Vector256.Load(c + 3 * ldc); c31 = Vector256.Load(c + 3 * ldc + 8);
            c40 = Vector256.Load(c + 4 * ldc); c41 = Vector256.Load(c + 4 * ldc + 8); c50 = Vector256.Load(c + 5 * ldc); c51 = Vector256.Load(c + 5 * ldc + 8);
        }
        else c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++, a += 6, b += 16)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> s = Vector256.Create(a[0]); c00 = Fma.MultiplyAdd(s, b0, c00); c01 = Fma.MultiplyAdd(s, b1, c01);
            s = Vector256.Create(a[1]); c10 = Fma.MultiplyAdd(s, b0, c10); c11 = Fma.MultiplyAdd(s, b1, c11);
            s = Vector256.Create(a[2]); c20 = Fma.MultiplyAdd(s, b0, c20); c21 = Fma.MultiplyAdd(s, b1, c21);
            s = Vector256.Create(a[3]); c30 = Fma.MultiplyAdd(s, b0, c30); c31 = Fma.MultiplyAdd(s, b1, c31);
            s = Vector256.Create(a[4]); c40 = Fma.MultiplyAdd(s, b0, c40); c41 = Fma.MultiplyAdd(s, b1, c41);
            s = Vector256.Create(a[5]); c50 = Fma.MultiplyAdd(s, b0, c50); c51 = Fma.MultiplyAdd(s, b1, c51);
        }
        c00.Store(c); c01.Store(c + 8); c10.Store(c + ldc); c11.Store(c + ldc + 8);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8); c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8); c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
    }

    /// <summary>AdvSimd (NEON): 8 rows × 8 columns = 16 q-register accumulators (of 32), FMA by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm_8x8_Neon(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        Vector128<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate)
        {
            c00 = Vector128.Load(c); c01 = Vector128.Load(c + 4); c10 = Vector128.Load(c + ldc); c11 = Vector128.Load(c + ldc + 4);
            c20 = Vector128.Load(c + 2 * ldc); c21 = Vector128.Load(c + 2 * ldc + 4); c30 = Vector128.Load(c + 3 * ldc); c31 = Vector128.Load(c + 3 * ldc + 4);
            c40 = Vector128.Load(c + 4 * ldc); c41 = Vector128.Load(c + 4 * ldc + 4); c50 = Vector128.Load(c + 5 * ldc); c51 = Vector128.Load(c + 5 * ldc + 4);
            c60 = Vector128.Load(c + 6 * ldc); c61 = Vector128.Load(c + 6 * ldc + 4); c70 = Vector128.Load(c + 7 * ldc); c71 = Vector128.Load(c + 7 * ldc + 4);
        }
        else c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = Vector128<float>.Zero;
        for (int p = 0; p < kc; p++, a += 8, b += 8)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4);
            Vector128<float> a0 = Vector128.Load(a), a1 = Vector128.Load(a + 4);
            c00 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c00, b0, a0, 0); c01 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c01, b1, a0, 0);
            c10 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c10, b0, a0, 1); c11 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c11, b1, a0, 1);
            c20 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c20, b0, a0, 2); c21 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c21, b1, a0, 2);
            c30 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c30, b0, a0, 3); c31 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c31, b1, a0, 3);
            c40 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c40, b0, a1, 0); c41 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c41, b1, a1, 0);
            c50 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c50, b0, a1, 1); c51 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c51, b1, a1, 1);
            c60 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c60, b0, a1, 2); c61 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c61, b1, a1, 2);
            c70 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c70, b0, a1, 3); c71 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c71, b1, a1, 3);
        }
        c00.Store(c); c01.Store(c + 4); c10.Store(c + ldc); c11.Store(c + ldc + 4);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 4); c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 4);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 4); c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 4);
        c60.Store(c + 6 * ldc); c61.Store(c + 6 * ldc + 4); c70.Store(c + 7 * ldc); c71.Store(c + 7 * ldc + 4);
    }

    /// <summary>Portable Vector128 (any SIMD .NET accelerates): 4 rows × 8 columns = 8 accumulators, multiply-add without requiring FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm_4x8_Portable(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        Vector128<float> c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate)
        {
            c00 = Vector128.Load(c); c01 = Vector128.Load(c + 4); c10 = Vector128.Load(c + ldc); c11 = Vector128.Load(c + ldc + 4);
            c20 = Vector128.Load(c + 2 * ldc); c21 = Vector128.Load(c + 2 * ldc + 4); c30 = Vector128.Load(c + 3 * ldc); c31 = Vector128.Load(c + 3 * ldc + 4);
        }
        else c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector128<float>.Zero;
        for (int p = 0; p < kc; p++, a += 4, b += 8)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4);
            Vector128<float> s = Vector128.Create(a[0]); c00 = Vector128.MultiplyAddEstimate(s, b0, c00); c01 = Vector128.MultiplyAddEstimate(s, b1, c01);
            s = Vector128.Create(a[1]); c10 = Vector128.MultiplyAddEstimate(s, b0, c10); c11 = Vector128.MultiplyAddEstimate(s, b1, c11);
            s = Vector128.Create(a[2]); c20 = Vector128.MultiplyAddEstimate(s, b0, c20); c21 = Vector128.MultiplyAddEstimate(s, b1, c21);
            s = Vector128.Create(a[3]); c30 = Vector128.MultiplyAddEstimate(s, b0, c30); c31 = Vector128.MultiplyAddEstimate(s, b1, c31);
        }
        c00.Store(c); c01.Store(c + 4); c10.Store(c + ldc); c11.Store(c + ldc + 4);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 4); c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 4);
    }

    /// <summary>Scalar: 4×4, for machines without SIMD acceleration.</summary>
    public static void Gemm_4x4_Scalar(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        float* acc = stackalloc float[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) acc[i * 4 + j] = accumulate ? c[i * ldc + j] : 0f;
        for (int p = 0; p < kc; p++, a += 4, b += 4)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) acc[i * 4 + j] += a[i] * b[j];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) c[i * ldc + j] = acc[i * 4 + j];
    }
}
