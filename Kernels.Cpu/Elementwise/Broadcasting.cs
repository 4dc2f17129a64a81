using System.Numerics;
using Cardinal.Graph.Ops;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Elementwise;

/// <summary>A binary arithmetic operator as a struct, so the loop below inlines it (the TensorPrimitives pattern).</summary>
internal interface IBinaryOperator<T>
{
    static abstract T Apply(T a, T b);
}

internal readonly struct AddOperator<T> : IBinaryOperator<T> where T : INumber<T> { public static T Apply(T a, T b) => a + b; }
internal readonly struct SubOperator<T> : IBinaryOperator<T> where T : INumber<T> { public static T Apply(T a, T b) => a - b; }
internal readonly struct MulOperator<T> : IBinaryOperator<T> where T : INumber<T> { public static T Apply(T a, T b) => a * b; }
internal readonly struct DivOperator<T> : IBinaryOperator<T> where T : INumber<T> { public static T Apply(T a, T b) => a / b; }

/// <summary>Shapes of A, B (as broadcast sees it) and C for one prepared binary kernel.</summary>
internal sealed record BinaryShapes(int[] A, int[] B, int[] C);

/// <summary>
/// Elementwise C = A ∘ B with NumPy broadcasting, generic over the element type. The output is walked
/// row by row (all axes but the last); within a row A and B advance by their last-axis stride, 0 or 1.
/// Equal shapes take one flat loop.
/// </summary>
internal static class Broadcasting
{
    /// <param name="shapes">The operands' shapes as broadcasting sees them (B's may differ from its storage
    /// under legacy broadcast), worked out once when the kernel is prepared.</param>
    /// <param name="kind">The operation (Add, Sub, Mul, Div...).</param>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <param name="c">The output, at the broadcast shape.</param>
    public static void Binary(BinaryKind kind, Tensor a, Tensor b, Tensor c, BinaryShapes shapes)
    {
        switch (c.ElementType)
        {
            case ElementType.Float32: Binary<float>(kind, a, b, c, shapes); break;
            case ElementType.Float64: Binary<double>(kind, a, b, c, shapes); break;
            case ElementType.Int8: Binary<sbyte>(kind, a, b, c, shapes); break;
            case ElementType.Int16: Binary<short>(kind, a, b, c, shapes); break;
            case ElementType.Int32: Binary<int>(kind, a, b, c, shapes); break;
            case ElementType.Int64: Binary<long>(kind, a, b, c, shapes); break;
            case ElementType.UInt8: Binary<byte>(kind, a, b, c, shapes); break;
            case ElementType.UInt16: Binary<ushort>(kind, a, b, c, shapes); break;
            case ElementType.UInt32: Binary<uint>(kind, a, b, c, shapes); break;
            case ElementType.UInt64: Binary<ulong>(kind, a, b, c, shapes); break;
            default: throw new CardinalException($"{kind} is not defined for {c.ElementType.Name()}.");
        }
    }

    private static void Binary<T>(BinaryKind kind, Tensor a, Tensor b, Tensor c, BinaryShapes s) where T : unmanaged, INumber<T>
    {
        try
        {
            switch (kind)
            {
                case BinaryKind.Add: Apply<T, AddOperator<T>>(a.Span<T>(), s.A, b.Span<T>(), s.B, c.Span<T>(), s.C); break;
                case BinaryKind.Sub: Apply<T, SubOperator<T>>(a.Span<T>(), s.A, b.Span<T>(), s.B, c.Span<T>(), s.C); break;
                case BinaryKind.Mul: Apply<T, MulOperator<T>>(a.Span<T>(), s.A, b.Span<T>(), s.B, c.Span<T>(), s.C); break;
                case BinaryKind.Div: Apply<T, DivOperator<T>>(a.Span<T>(), s.A, b.Span<T>(), s.B, c.Span<T>(), s.C); break;
            }
        }
        catch (DivideByZeroException)
        {
            throw new CardinalException($"Div: integer division by zero ({c.ElementType.Name()}).");
        }
    }

    public static void Apply<T, TOperator>(ReadOnlySpan<T> a, int[] aShape, ReadOnlySpan<T> b, int[] bShape, Span<T> c, int[] cShape)
        where T : unmanaged where TOperator : IBinaryOperator<T>
    {
        if (c.IsEmpty) return;
        if (aShape.AsSpan().SequenceEqual(cShape) && bShape.AsSpan().SequenceEqual(cShape))
        {
            for (int i = 0; i < c.Length; i++) c[i] = TOperator.Apply(a[i], b[i]);
            return;
        }
        int rank = cShape.Length;
        if (rank == 0) { c[0] = TOperator.Apply(a[0], b[0]); return; }
        // On the stack: this runs every time the model runs, and a run into caller buffers allocates nothing.
        Span<int> sa = rank <= 8 ? stackalloc int[rank] : new int[rank], sb = rank <= 8 ? stackalloc int[rank] : new int[rank];
        Span<int> index = rank <= 8 ? stackalloc int[rank] : new int[rank];
        index.Clear();
        Broadcast.StridesFor(aShape, cShape, sa);
        Broadcast.StridesFor(bShape, cShape, sb);
        int inner = cShape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
        for (int start = 0; start < c.Length; start += inner)
        {
            int offA = 0, offB = 0;
            for (int d = 0; d < rank - 1; d++) { offA += index[d] * sa[d]; offB += index[d] * sb[d]; }
            Span<T> row = c.Slice(start, inner);
            for (int j = 0; j < inner; j++) row[j] = TOperator.Apply(a[offA + j * ia], b[offB + j * ib]);
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < cShape[d]) break;
                index[d] = 0;
            }
        }
    }
}
