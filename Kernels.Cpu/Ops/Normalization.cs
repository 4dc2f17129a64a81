using Cardinal.Graph.Ops;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Ops;

/// <summary>BatchNormalization (inference), Softmax and ReduceMean.</summary>
internal static class Normalization
{
    /// <summary>y = x·s + t per channel, with s = scale/√(var+ε) and t = B − mean·s as <see cref="BatchNormFolding"/> computes them.</summary>
    public static void BatchNorm(Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor variance, float epsilon, Tensor y)
    {
        int n = x.Dims[0], c = x.Dims[1];
        int plane = c == 0 || n == 0 ? 0 : x.Length / (n * c);
        ReadOnlySpan<float> src = x.Floats;
        Span<float> dst = y.Floats;
        for (int ch = 0; ch < c; ch++)
        {
            double exact = BatchNormFolding.Scale(scale.Floats[ch], variance.Floats[ch], epsilon);
            float s = (float)exact, t = BatchNormFolding.Shift(exact, bias.Floats[ch], mean.Floats[ch]);
            for (int i = 0; i < n; i++)
            {
                int start = (i * c + ch) * plane;
                for (int k = start; k < start + plane; k++) dst[k] = src[k] * s + t;
            }
        }
    }

    /// <summary>Softmax over runs of <paramref name="length"/> elements spaced <paramref name="stride"/> apart.</summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int outer, int length, int stride)
    {
        for (int o = 0; o < outer; o++)
            for (int s = 0; s < stride; s++)
            {
                int baseIndex = o * length * stride + s;
                float max = float.NegativeInfinity;
                for (int i = 0; i < length; i++) max = Math.Max(max, x[baseIndex + i * stride]);
                double sum = 0;
                for (int i = 0; i < length; i++)
                {
                    float e = MathF.Exp(x[baseIndex + i * stride] - max);
                    y[baseIndex + i * stride] = e;
                    sum += e;
                }
                float inv = (float)(1.0 / sum);
                for (int i = 0; i < length; i++) y[baseIndex + i * stride] *= inv;
            }
    }

    /// <summary>Mean over the given axes (sorted); an empty axis list copies the input.</summary>
    public static void ReduceMean(Tensor x, int[] axes, Tensor y)
    {
        int rank = x.Rank;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[a] = true;
        // Output strides over the kept axes, indexed by input axis (0 for reduced axes).
        var keptDims = Enumerable.Range(0, rank).Where(d => !reduced[d]).Select(d => x.Dims[d]).ToArray();
        int[] keptStrides = TensorShape.Strides(keptDims);
        var outStride = new int[rank];
        for (int d = 0, k = 0; d < rank; d++) outStride[d] = reduced[d] ? 0 : keptStrides[k++];
        var sums = new double[y.Length];
        int[] dims = x.Shape();
        var index = new int[rank];
        bool isFloat = x.ElementType == ElementType.Float32;
        for (int i = 0; i < x.Length; i++)
        {
            int o = 0;
            for (int d = 0; d < rank; d++) o += index[d] * outStride[d];
            sums[o] += isFloat ? x.Floats[i] : x.Span<double>()[i];
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < dims[d]) break;
                index[d] = 0;
            }
        }
        long count = axes.Length == 0 ? 1 : axes.Aggregate(1L, (acc, a) => acc * x.Dims[a]);
        for (int o = 0; o < y.Length; o++)
        {
            double mean = count == 0 ? double.NaN : sums[o] / count;
            if (isFloat) y.Floats[o] = (float)mean; else y.Span<double>()[o] = mean;
        }
    }
}
