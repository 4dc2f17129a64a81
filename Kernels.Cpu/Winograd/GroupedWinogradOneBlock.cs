using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Kernels.Cpu.Simd;

namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// The products of <see cref="GroupedWinogradBatches"/> for groups of one channel block in and out (ResNeXt's groups of 16
/// channels on AVX-512): one register tile of <see cref="Width"/> tiles per ξ, each FMA taking its tile's channel as an
/// embedded broadcast.
/// </summary>
internal static unsafe class GroupedWinogradOneBlock
{
    /// <summary>Tiles per batch: 10 accumulators keep both FMA pipes busy and cut ResNeXt's 49-tile 14×14 planes into 5 batches with one idle slot.</summary>
    public const int Width = 10;

    /// <summary>
    /// M[ξ][t] = Σ_c V[ξ][t][c] · U[ξ][c] for the batch's <see cref="Width"/> tiles: one register tile per ξ, U's row c multiplied
    /// by each tile's channel c as an embedded broadcast (Vector512 written out, as the direct kernel's tiles: through
    /// <see cref="IVec{TSelf}"/> the JIT had loaded each broadcast into a register and moved every sum back).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Products(float* v, float* u, nint uXi, float* m, nint xiStride)
    {
        for (int xi = 0; xi < GroupedWinogradBatches.Xi; xi++)
        {
            float* vx = v + xi * xiStride, wi = u + xi * uXi, mx = m + xi * xiStride;
            float* x0 = vx, x1 = x0 + 16, x2 = x1 + 16, x3 = x2 + 16, x4 = x3 + 16, x5 = x4 + 16, x6 = x5 + 16, x7 = x6 + 16, x8 = x7 + 16, x9 = x8 + 16;
            Vector512<float> a0, a1, a2, a3, a4, a5, a6, a7, a8, a9;
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = Vector512<float>.Zero;
            for (nint c = 0; c < 16; c++, wi += 16)
            {
                Vector512<float> w = Vector512.Load(wi);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(x0[c]), w, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(x1[c]), w, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(x2[c]), w, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(x3[c]), w, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.Create(x4[c]), w, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.Create(x5[c]), w, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Create(x6[c]), w, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.Create(x7[c]), w, a7);
                a8 = Vector512.FusedMultiplyAdd(Vector512.Create(x8[c]), w, a8);
                a9 = Vector512.FusedMultiplyAdd(Vector512.Create(x9[c]), w, a9);
            }
            Vector512.Store(a0, mx); Vector512.Store(a1, mx + 16); Vector512.Store(a2, mx + 32); Vector512.Store(a3, mx + 48); Vector512.Store(a4, mx + 64);
            Vector512.Store(a5, mx + 80); Vector512.Store(a6, mx + 96); Vector512.Store(a7, mx + 112); Vector512.Store(a8, mx + 128); Vector512.Store(a9, mx + 144);
        }
    }
}
