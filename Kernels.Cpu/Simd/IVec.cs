using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Cardinal.Epilogues;

namespace Cardinal.Kernels.Cpu.Simd;

/// <summary>
/// One float vector of a fixed width, as the kernels that are not hand-tiled see it (epilogues, packing,
/// pooling, ReLU, dot products). Kernels are written once, generic over the width, and the platform table
/// (<see cref="CpuPlatform"/>) instantiates them for its tier: a capped tier then really runs narrower code,
/// where <c>Vector&lt;float&gt;</c> would take whatever width the JIT picks. The JIT specialises each struct
/// instantiation, so every member below inlines to one instruction (or a few, for the scalar "vector").
/// </summary>
internal unsafe interface IVec<TSelf> where TSelf : unmanaged, IVec<TSelf>
{
    /// <summary>Floats per vector: 16, 8, 4, or 1 for the scalar tier.</summary>
    static abstract int Count { get; }
    static abstract TSelf Load(float* p);
    static abstract void Store(float* p, TSelf v);
    static abstract TSelf Broadcast(float value);
    static abstract TSelf Max(TSelf a, TSelf b);
    /// <summary>a·b + c: one fused multiply-add where the hardware has FMA, else a multiply and an add (never a slow software FMA).</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Subtract(TSelf a, TSelf b);
    /// <summary>Bitwise AND with a mask vector (all-ones lanes keep, zero lanes clear).</summary>
    static abstract TSelf And(TSelf value, TSelf mask);
    static abstract float Sum(TSelf v);
    /// <summary>The epilogue's form at this width: relu?(acc + bias + residual).</summary>
    static abstract TSelf Epilogue<TEpilogue>(TSelf acc, TSelf bias, TSelf residual) where TEpilogue : struct, IEpilogue;
}

/// <summary>AVX-512: 16 lanes.</summary>
internal readonly unsafe struct Vec512(Vector512<float> v) : IVec<Vec512>
{
    private readonly Vector512<float> _v = v;
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vec512 v) => v._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Broadcast(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Max(Vec512 a, Vec512 b) => new(Vector512.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 MultiplyAdd(Vec512 a, Vec512 b, Vec512 c) => new(Vector512.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Add(Vec512 a, Vec512 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 Subtract(Vec512 a, Vec512 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512 And(Vec512 value, Vec512 mask) => new(value._v & mask._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vec512 v) => Vector512.Sum(v._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512 Epilogue<TEpilogue>(Vec512 acc, Vec512 bias, Vec512 residual) where TEpilogue : struct, IEpilogue =>
        new(TEpilogue.Apply(acc._v, bias._v, residual._v));
}

/// <summary>AVX2 + FMA: 8 lanes.</summary>
internal readonly unsafe struct Vec256(Vector256<float> v) : IVec<Vec256>
{
    private readonly Vector256<float> _v = v;
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vec256 v) => v._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Broadcast(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Max(Vec256 a, Vec256 b) => new(Vector256.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 MultiplyAdd(Vec256 a, Vec256 b, Vec256 c) => new(Vector256.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Add(Vec256 a, Vec256 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 Subtract(Vec256 a, Vec256 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec256 And(Vec256 value, Vec256 mask) => new(value._v & mask._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vec256 v) => Vector256.Sum(v._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec256 Epilogue<TEpilogue>(Vec256 acc, Vec256 bias, Vec256 residual) where TEpilogue : struct, IEpilogue =>
        new(TEpilogue.Apply(acc._v, bias._v, residual._v));
}

/// <summary>128-bit vectors: NEON, and the portable tier (SSE on x64).</summary>
internal readonly unsafe struct Vec128(Vector128<float> v) : IVec<Vec128>
{
    private readonly Vector128<float> _v = v;
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Load(float* p) => new(Vector128.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vec128 v) => v._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Broadcast(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Max(Vec128 a, Vec128 b) => new(Vector128.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 MultiplyAdd(Vec128 a, Vec128 b, Vec128 c) => new(Vector128.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Add(Vec128 a, Vec128 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 Subtract(Vec128 a, Vec128 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec128 And(Vec128 value, Vec128 mask) => new(value._v & mask._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vec128 v) => Vector128.Sum(v._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec128 Epilogue<TEpilogue>(Vec128 acc, Vec128 bias, Vec128 residual) where TEpilogue : struct, IEpilogue =>
        new(TEpilogue.Apply(acc._v, bias._v, residual._v));
}

/// <summary>The scalar tier: one lane, plain float arithmetic (no SIMD at all).</summary>
internal readonly unsafe struct Vec1(float v) : IVec<Vec1>
{
    private readonly float _v = v;
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec1 Load(float* p) => new(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vec1 v) => *p = v._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec1 Broadcast(float value) => new(value);
    // MathF.Max, like Vector*.Max, propagates NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec1 Max(Vec1 a, Vec1 b) => new(MathF.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec1 MultiplyAdd(Vec1 a, Vec1 b, Vec1 c) => new(float.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec1 Add(Vec1 a, Vec1 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec1 Subtract(Vec1 a, Vec1 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec1 And(Vec1 value, Vec1 mask) => new(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value._v) & BitConverter.SingleToInt32Bits(mask._v)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vec1 v) => v._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec1 Epilogue<TEpilogue>(Vec1 acc, Vec1 bias, Vec1 residual) where TEpilogue : struct, IEpilogue =>
        new(TEpilogue.Apply(acc._v, bias._v, residual._v));
}
