using ILGPU;
using ILGPU.Algorithms;

namespace Cardinal.Kernels.Gpu.Kernels;

/// <summary>Elementwise float kernels: one thread per output element.</summary>
internal static class ElementwiseKernels
{
    public const int Add = 0, Sub = 1, Mul = 2, Div = 3;

    /// <summary>
    /// c = a ∘ b with broadcasting. <paramref name="meta"/> holds [rank, out dims…, a strides…, b strides…]
    /// (stride 0 on broadcast axes), prepared once at compile time.
    /// </summary>
    public static void Binary(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<int> meta, int op)
    {
        int rank = meta[0];
        long rest = (int)index, offA = 0, offB = 0;
        for (int d = rank - 1; d >= 0; d--)
        {
            int size = meta[1 + d];
            long i = rest % size;
            rest /= size;
            offA += i * meta[1 + rank + d];
            offB += i * meta[1 + 2 * rank + d];
        }
        float x = a[offA], y = b[offB];
        c[index] = op == Add ? x + y : op == Sub ? x - y : op == Mul ? x * y : x / y;
    }

    public static void Relu(Index1D index, ArrayView<float> x, ArrayView<float> y) => y[index] = XMath.Max(x[index], 0f);

    public static void Sigmoid(Index1D index, ArrayView<float> x, ArrayView<float> y) => y[index] = 1f / (1f + XMath.Exp(-x[index]));

    /// <summary>Clip with optional bounds (NaN passes through, as on the CPU).</summary>
    public static void Clip(Index1D index, ArrayView<float> x, ArrayView<float> y, float low, float high, int hasLow, int hasHigh)
    {
        float v = x[index];
        if (hasLow != 0 && v < low) v = low;
        if (hasHigh != 0 && v > high) v = high;
        y[index] = v;
    }

    /// <summary>BatchNormalization folded to y = x·scale[c] + shift[c] (scale and shift computed on the host once).</summary>
    public static void ScaleShift(Index1D index, ArrayView<float> x, ArrayView<float> y, ArrayView<float> scale, ArrayView<float> shift, int channels, int plane)
    {
        int c = (int)(index / plane % channels);
        y[index] = x[index] * scale[c] + shift[c];
    }

    /// <summary>Copies x into a window of y: element i of x goes to y[(i / chunk)·rowStride + offset + i % chunk] (Concat, views).</summary>
    public static void CopyStrided(Index1D index, ArrayView<float> x, ArrayView<float> y, int chunk, int rowStride, int offset)
    {
        int i = index;
        y[(long)(i / chunk) * rowStride + offset + i % chunk] = x[i];
    }

    /// <summary>Softmax over runs of <paramref name="length"/> elements spaced <paramref name="stride"/> apart; one thread per run.</summary>
    public static void Softmax(Index1D run, ArrayView<float> x, ArrayView<float> y, int length, int stride)
    {
        int r = run;
        long start = (long)(r / stride) * length * stride + r % stride;
        float max = float.NegativeInfinity;
        for (int i = 0; i < length; i++) max = XMath.Max(max, x[start + i * stride]);
        float sum = 0;
        for (int i = 0; i < length; i++)
        {
            float e = XMath.Exp(x[start + i * stride] - max);
            y[start + i * stride] = e;
            sum += e;
        }
        for (int i = 0; i < length; i++) y[start + i * stride] = y[start + i * stride] / sum;
    }
}
