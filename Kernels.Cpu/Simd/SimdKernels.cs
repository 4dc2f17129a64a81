using System.Runtime.CompilerServices;
using Cardinal.Epilogues;

namespace Cardinal.Kernels.Cpu.Simd;

/// <summary>
/// The small vector kernels every tier has, written once over the vector width <typeparamref name="TVec"/>;
/// <see cref="CpuPlatform"/> takes their addresses for its tier. Each walks whole vectors, then finishes
/// the tail one element at a time with the same arithmetic (so a result does not depend on where the tail
/// starts, except for summation order in <see cref="Dot"/>).
/// </summary>
internal static unsafe class SimdKernels<TVec> where TVec : unmanaged, IVec<TVec>
{
    /// <summary>
    /// Applies <typeparamref name="TEpilogue"/> to a rows × cols tile of C in place: row r gets bias[r] (bias
    /// null: 0) and, if the epilogue reads it, residual row r (row stride <paramref name="ldr"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EpilogueTile<TEpilogue>(float* tile, long ldc, float* bias, float* residual, long ldr, int rows, int cols)
        where TEpilogue : struct, IEpilogue
    {
        int width = TVec.Count;
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + r * ldc;
            float* res = TEpilogue.ReadsResidual ? residual + r * ldr : null;
            float b = bias is null ? 0f : bias[r];
            TVec bv = TVec.Broadcast(b);
            int q = 0;
            for (; q + width <= cols; q += width)
                TVec.Store(t + q, TVec.Epilogue<TEpilogue>(TVec.Load(t + q), bv, TEpilogue.ReadsResidual ? TVec.Load(res + q) : default));
            for (; q < cols; q++) t[q] = TEpilogue.Apply(t[q], b, TEpilogue.ReadsResidual ? res[q] : 0f);
        }
    }

    /// <summary>y[i] = max(x[i], 0); NaN stays NaN (x and y may be the same).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(float* x, float* y, nint length)
    {
        int width = TVec.Count;
        TVec zero = default;
        nint i = 0;
        for (; i + width <= length; i += width) TVec.Store(y + i, TVec.Max(TVec.Load(x + i), zero));
        for (; i < length; i++) y[i] = MathF.Max(x[i], 0f);
    }

    /// <summary>Σ x[i]·y[i], accumulated in one vector of partial sums, then the tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(float* x, float* y, int length)
    {
        int width = TVec.Count, i = 0;
        TVec acc = default;
        for (; i + width <= length; i += width) acc = TVec.MultiplyAdd(TVec.Load(x + i), TVec.Load(y + i), acc);
        float sum = TVec.Sum(acc);
        for (; i < length; i++) sum += x[i] * y[i];
        return sum;
    }

    /// <summary>
    /// <see cref="Dot"/> of one row y against four rows x0…x3 at once, into sums[0…3]: four independent accumulator
    /// chains where one leaves the FMA units waiting on its own latency, and each y vector loaded once for four. Each
    /// row's arithmetic is <see cref="Dot"/>'s exactly (one vector of partial sums, then the tail), so every sum is
    /// bit-identical to it: a classifier's answers do not depend on the batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot4(float* y, float* x0, float* x1, float* x2, float* x3, int length, float* sums)
    {
        int width = TVec.Count, i = 0;
        TVec a0 = default, a1 = default, a2 = default, a3 = default;
        for (; i + width <= length; i += width)
        {
            TVec v = TVec.Load(y + i);
            a0 = TVec.MultiplyAdd(TVec.Load(x0 + i), v, a0);
            a1 = TVec.MultiplyAdd(TVec.Load(x1 + i), v, a1);
            a2 = TVec.MultiplyAdd(TVec.Load(x2 + i), v, a2);
            a3 = TVec.MultiplyAdd(TVec.Load(x3 + i), v, a3);
        }
        float s0 = TVec.Sum(a0), s1 = TVec.Sum(a1), s2 = TVec.Sum(a2), s3 = TVec.Sum(a3);
        for (; i < length; i++) { s0 += x0[i] * y[i]; s1 += x1[i] * y[i]; s2 += x2[i] * y[i]; s3 += x3[i] * y[i]; }
        sums[0] = s0; sums[1] = s1; sums[2] = s2; sums[3] = s3;
    }

    /// <summary>dst[i] = src[i] where mask[i] is all ones, 0 where it is zero (a masked panel row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaskedCopy(float* src, uint* mask, float* dst, int length)
    {
        int width = TVec.Count, i = 0;
        for (; i + width <= length; i += width) TVec.Store(dst + i, TVec.And(TVec.Load(src + i), TVec.Load((float*)(mask + i))));
        for (; i < length; i++) dst[i] = mask[i] != 0 ? src[i] : 0f;
    }

    /// <summary>dst[i] += weight · src[i] (one tap of a direct convolution along an output row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAddRow(float* dst, float* src, float weight, int length)
    {
        int width = TVec.Count, i = 0;
        TVec w = TVec.Broadcast(weight);
        for (; i + width <= length; i += width) TVec.Store(dst + i, TVec.MultiplyAdd(TVec.Load(src + i), w, TVec.Load(dst + i)));
        for (; i < length; i++) dst[i] = float.MultiplyAddEstimate(src[i], weight, dst[i]);
    }

    /// <summary>acc[i] = max(acc[i], row[i]) (the vertical pass of the row max pool); NaN propagates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxRow(float* acc, float* row, int length)
    {
        int width = TVec.Count, i = 0;
        for (; i + width <= length; i += width) TVec.Store(acc + i, TVec.Max(TVec.Load(acc + i), TVec.Load(row + i)));
        for (; i < length; i++) acc[i] = MathF.Max(acc[i], row[i]);
    }
}
