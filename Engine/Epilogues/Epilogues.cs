using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cardinal.Epilogues;

/// <summary>
/// What a convolution does to each accumulated output as it stores it: y = relu?(acc + bias + residual?).
/// Written once, here, in a scalar and a 128-, 256- and 512-bit form (the cross-platform vector types: no
/// ISA-specific intrinsics in Engine). The CPU's GEMM tile store, its direct grouped kernel and the reference
/// twin instantiate their loops per epilogue struct, so the branches on "residual?" and "relu?" are decided
/// by the type, not per element; the GPU kernels call the scalar form. Order as ONNX Runtime's NCHWc fusion:
/// bias, then the residual, then ReLU.
/// </summary>
internal interface IEpilogue
{
    /// <summary>Whether the residual argument is read (the callers pass zero otherwise and may skip the load).</summary>
    static abstract bool ReadsResidual { get; }
    static abstract float Apply(float acc, float bias, float residual);
    static abstract Vector128<float> Apply(Vector128<float> acc, Vector128<float> bias, Vector128<float> residual);
    static abstract Vector256<float> Apply(Vector256<float> acc, Vector256<float> bias, Vector256<float> residual);
    static abstract Vector512<float> Apply(Vector512<float> acc, Vector512<float> bias, Vector512<float> residual);
}

/// <summary>y = acc + bias.</summary>
internal readonly struct BiasEpilogue : IEpilogue
{
    public static bool ReadsResidual => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float acc, float bias, float residual) => acc + bias;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Apply(Vector128<float> acc, Vector128<float> bias, Vector128<float> residual) => acc + bias;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> acc, Vector256<float> bias, Vector256<float> residual) => acc + bias;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> acc, Vector512<float> bias, Vector512<float> residual) => acc + bias;
}

/// <summary>y = max(acc + bias, 0).</summary>
internal readonly struct BiasReluEpilogue : IEpilogue
{
    public static bool ReadsResidual => false;
    // A comparison rather than MathF.Max: NaN stays NaN, and −0 stays −0, as the kernels have always done.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float acc, float bias, float residual) { float v = acc + bias; return v < 0 ? 0f : v; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Apply(Vector128<float> acc, Vector128<float> bias, Vector128<float> residual) => Vector128.Max(acc + bias, Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> acc, Vector256<float> bias, Vector256<float> residual) => Vector256.Max(acc + bias, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> acc, Vector512<float> bias, Vector512<float> residual) => Vector512.Max(acc + bias, Vector512<float>.Zero);
}

/// <summary>y = acc + bias + residual (the fused residual Add).</summary>
internal readonly struct BiasResidualEpilogue : IEpilogue
{
    public static bool ReadsResidual => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float acc, float bias, float residual) => acc + bias + residual;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Apply(Vector128<float> acc, Vector128<float> bias, Vector128<float> residual) => acc + bias + residual;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> acc, Vector256<float> bias, Vector256<float> residual) => acc + bias + residual;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> acc, Vector512<float> bias, Vector512<float> residual) => acc + bias + residual;
}

/// <summary>y = max(acc + bias + residual, 0): the ResNet block's tail.</summary>
internal readonly struct BiasResidualReluEpilogue : IEpilogue
{
    public static bool ReadsResidual => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Apply(float acc, float bias, float residual) { float v = acc + bias + residual; return v < 0 ? 0f : v; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Apply(Vector128<float> acc, Vector128<float> bias, Vector128<float> residual) => Vector128.Max(acc + bias + residual, Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> acc, Vector256<float> bias, Vector256<float> residual) => Vector256.Max(acc + bias + residual, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> acc, Vector512<float> bias, Vector512<float> residual) => Vector512.Max(acc + bias + residual, Vector512<float>.Zero);
}

/// <summary>The scalar form chosen by flags, for code that cannot be generic over the epilogue (the GPU kernels).</summary>
internal static class EpilogueMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(float acc, float bias, float residual, bool hasResidual, bool relu) =>
        hasResidual
            ? relu ? BiasResidualReluEpilogue.Apply(acc, bias, residual) : BiasResidualEpilogue.Apply(acc, bias, residual)
            : relu ? BiasReluEpilogue.Apply(acc, bias, residual) : BiasEpilogue.Apply(acc, bias, residual);

}
