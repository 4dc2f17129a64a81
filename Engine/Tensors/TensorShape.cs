namespace Cardinal.Tensors;

/// <summary>Helpers over concrete shapes, which are plain <c>int[]</c> dimension arrays (NCHW order at the API).</summary>
public static class TensorShape
{
    /// <summary>The largest element count a single tensor may hold: one managed array.</summary>
    public const long MaxElements = int.MaxValue - 64;

    /// <summary>Element count of <paramref name="dims"/>, refusing negative dimensions and overflow.</summary>
    internal static long CheckedElementCount(ReadOnlySpan<long> dims, string what)
    {
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw new InvalidModelException($"{what} has a negative dimension ({Format(dims)}).");
            if (d != 0 && count > MaxElements / d)
                throw new InvalidModelException($"{what} declares {Format(dims)}, more than the {MaxElements} elements one tensor can hold.");
            count *= d;
        }
        return count;
    }

    /// <summary>The product of the dimensions.</summary>
    public static int ElementCount(ReadOnlySpan<int> dims)
    {
        long count = 1;
        foreach (int d in dims) count *= d;
        if (count > MaxElements) throw new InvalidModelException($"Shape {Format(dims)} holds more than {MaxElements} elements.");
        return (int)count;
    }

    /// <summary>Row-major strides, in elements.</summary>
    public static int[] Strides(ReadOnlySpan<int> dims)
    {
        var strides = new int[dims.Length];
        int s = 1;
        for (int i = dims.Length - 1; i >= 0; i--) { strides[i] = s; s *= dims[i]; }
        return strides;
    }

    /// <summary>Maps a possibly negative axis into [0, rank), or throws naming the operator.</summary>
    internal static int NormalizeAxis(long axis, int rank, string context)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new InvalidModelException($"{context}: axis {axis} is out of range for rank {rank}.");
        return (int)a;
    }

    /// <summary>The dimensions as text, e.g. "[1,3,224,224]".</summary>
    public static string Format(ReadOnlySpan<int> dims) => "[" + string.Join(",", dims.ToArray()) + "]";
    /// <summary>The dimensions as text, e.g. "[1,3,224,224]".</summary>
    public static string Format(ReadOnlySpan<long> dims) => "[" + string.Join(",", dims.ToArray()) + "]";
}
