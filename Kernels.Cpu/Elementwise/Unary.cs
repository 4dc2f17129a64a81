using System.Runtime.CompilerServices;
using System.Numerics;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Elementwise;

/// <summary>Relu, Sigmoid and Clip, generic over the element type where the operator allows it.</summary>
internal static class Unary
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(Tensor x, Tensor y, CpuPlatform platform)
    {
        switch (x.ElementType)
        {
            case ElementType.Float32: ReluFloat(x.Floats, y.Floats, platform); break;
            case ElementType.Float64: Relu<double>(x, y); break;
            case ElementType.Int8: Relu<sbyte>(x, y); break;
            case ElementType.Int16: Relu<short>(x, y); break;
            case ElementType.Int32: Relu<int>(x, y); break;
            case ElementType.Int64: Relu<long>(x, y); break;
            default: x.Bytes.CopyTo(y.Bytes); break; // unsigned: already ≥ 0
        }
    }

    private static unsafe void ReluFloat(ReadOnlySpan<float> x, Span<float> y, CpuPlatform platform)
    {
        if (y.Length < x.Length) throw new ArgumentException($"Relu: output of {y.Length} elements for {x.Length} inputs.");
        fixed (float* px = x, py = y) platform.Relu(px, py, x.Length);
    }

    private static void Relu<T>(Tensor x, Tensor y) where T : unmanaged, INumber<T>
    {
        ReadOnlySpan<T> src = x.Span<T>();
        Span<T> dst = y.Span<T>();
        for (int i = 0; i < src.Length; i++) dst[i] = src[i] > T.Zero ? src[i] : T.Zero;
    }

    public static void Sigmoid(Tensor x, Tensor y)
    {
        if (x.ElementType == ElementType.Float64)
        {
            ReadOnlySpan<double> s = x.Span<double>(); Span<double> d = y.Span<double>();
            for (int i = 0; i < s.Length; i++) d[i] = 1.0 / (1.0 + Math.Exp(-s[i]));
            return;
        }
        ReadOnlySpan<float> src = x.Floats; Span<float> dst = y.Floats;
        for (int i = 0; i < src.Length; i++) dst[i] = 1f / (1f + MathF.Exp(-src[i]));
    }

    public static void Clip(Tensor x, Tensor? min, Tensor? max, Tensor y)
    {
        switch (x.ElementType)
        {
            case ElementType.Float32: Clip<float>(x, min, max, y); break;
            case ElementType.Float64: Clip<double>(x, min, max, y); break;
            case ElementType.Int8: Clip<sbyte>(x, min, max, y); break;
            case ElementType.Int16: Clip<short>(x, min, max, y); break;
            case ElementType.Int32: Clip<int>(x, min, max, y); break;
            case ElementType.Int64: Clip<long>(x, min, max, y); break;
            case ElementType.UInt8: Clip<byte>(x, min, max, y); break;
            case ElementType.UInt16: Clip<ushort>(x, min, max, y); break;
            case ElementType.UInt32: Clip<uint>(x, min, max, y); break;
            case ElementType.UInt64: Clip<ulong>(x, min, max, y); break;
            default: throw new CardinalException($"Clip is not defined for {x.ElementType.Name()}.");
        }
    }

    private static void Clip<T>(Tensor x, Tensor? min, Tensor? max, Tensor y) where T : unmanaged, INumber<T>
    {
        ReadOnlySpan<T> src = x.Span<T>();
        Span<T> dst = y.Span<T>();
        bool hasMin = min is not null, hasMax = max is not null;
        T lo = hasMin ? min!.Span<T>()[0] : T.Zero, hi = hasMax ? max!.Span<T>()[0] : T.Zero;
        for (int i = 0; i < src.Length; i++)
        {
            T v = src[i];
            // NaN passes through: comparisons with NaN are false.
            if (hasMin && v < lo) v = lo;
            if (hasMax && v > hi) v = hi;
            dst[i] = v;
        }
    }
}
