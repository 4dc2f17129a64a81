namespace Cardinal.Tensors;

/// <summary>NumPy-style multidirectional broadcasting, as ONNX specifies it from opset 7.</summary>
internal static class Broadcast
{
    /// <summary>The broadcast shape of <paramref name="shapes"/>, or null when they cannot be broadcast.</summary>
    public static int[]? TryShape(params int[][] shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int size = 1;
            foreach (int[] s in shapes)
            {
                int k = i - (rank - s.Length);
                if (k < 0) continue;
                int d = s[k];
                if (d == size || d == 1) continue;
                if (size != 1) return null;
                size = d;
            }
            // A zero-sized axis broadcasts with 1 to 0.
            foreach (int[] s in shapes)
            {
                int k = i - (rank - s.Length);
                if (k >= 0 && s[k] == 0) size = 0;
            }
            result[i] = size;
        }
        return result;
    }

    /// <summary>
    /// Strides that read <paramref name="shape"/> as if it had <paramref name="outShape"/>: broadcast axes
    /// (missing or of size 1) get stride 0.
    /// </summary>
    public static int[] StridesFor(ReadOnlySpan<int> shape, ReadOnlySpan<int> outShape)
    {
        var strides = new int[outShape.Length];
        StridesFor(shape, outShape, strides);
        return strides;
    }

    /// <summary><see cref="StridesFor(ReadOnlySpan{int}, ReadOnlySpan{int})"/> into <paramref name="strides"/> (the output's rank), for kernels that must not allocate per run.</summary>
    public static void StridesFor(ReadOnlySpan<int> shape, ReadOnlySpan<int> outShape, Span<int> strides)
    {
        int rank = outShape.Length;
        strides[..rank].Clear();
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            int o = i + rank - shape.Length;
            strides[o] = shape[i] == 1 && outShape[o] != 1 ? 0 : s;
            s *= shape[i];
        }
    }
}
