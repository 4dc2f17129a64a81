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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Apply(Vector128<float> acc, Vector128<float> bias, Vector128<float> residual) => Relu.Of(acc + bias);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> acc, Vector256<float> bias, Vector256<float> residual) => Relu.Of(acc + bias);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> acc, Vector512<float> bias, Vector512<float> residual) => Relu.Of(acc + bias);
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Apply(Vector128<float> acc, Vector128<float> bias, Vector128<float> residual) => Relu.Of(acc + bias + residual);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Apply(Vector256<float> acc, Vector256<float> bias, Vector256<float> residual) => Relu.Of(acc + bias + residual);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Apply(Vector512<float> acc, Vector512<float> bias, Vector512<float> residual) => Relu.Of(acc + bias + residual);
}

/// <summary>
/// ReLU as the scalar form does it, v &lt; 0 ? 0 : v (NaN and −0 pass through), in two instructions (a compare and a
/// select). The vector forms had used IEEE <c>Max(v, 0)</c>, which the JIT lowers to a max and a fix-up of NaN and
/// −0 on every stored vector (three instructions; and −0 became +0 there but not in the scalar form).
/// </summary>
internal static class Relu
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> v) => Vector128.ConditionalSelect(Vector128.LessThan(v, Vector128<float>.Zero), Vector128<float>.Zero, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> v) => Vector256.ConditionalSelect(Vector256.LessThan(v, Vector256<float>.Zero), Vector256<float>.Zero, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> v) => Vector512.ConditionalSelect(Vector512.LessThan(v, Vector512<float>.Zero), Vector512<float>.Zero, v);
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
