using System.Numerics.Tensors;

namespace Cardinal.Learning;

/// <summary>
/// A trained linear softmax classifier over raw features: p = softmax(W·(x − μ)/σ + b). <see cref="Folded"/>
/// gives the same map as one affine layer on the raw features (what the exported ONNX Gemm holds).
/// </summary>
public sealed class SoftmaxClassifier
{
    /// <summary>A classifier from its parts (weights [classes × dimension] and biases on standardised features).</summary>
    public SoftmaxClassifier(Standardizer standardizer, double[] weights, double[] bias, int classes, int dimension, double lambda)
    {
        if (weights.Length != classes * dimension || bias.Length != classes)
            throw new TrainingException($"weights {weights.Length} / bias {bias.Length} do not fit {classes} classes × {dimension} features");
        Standardizer = standardizer;
        Weights = weights;
        Bias = bias;
        Classes = classes;
        Dimension = dimension;
        Lambda = lambda;
    }

    /// <summary>The feature standardisation applied before the weights.</summary>
    public Standardizer Standardizer { get; }
    /// <summary>W on standardised features, [K][D] row-major.</summary>
    public double[] Weights { get; }
    /// <summary>One bias per class.</summary>
    public double[] Bias { get; }
    /// <summary>The number of classes.</summary>
    public int Classes { get; }
    /// <summary>Features per input.</summary>
    public int Dimension { get; }
    /// <summary>The L2 strength it was fitted with.</summary>
    public double Lambda { get; }

    /// <summary>
    /// The standardisation folded into the layer: W' = W / σ (per column), b' = b − W'·μ, so that
    /// W'x + b' = W (x − μ)/σ + b exactly in real arithmetic.
    /// </summary>
    public (double[] Weights, double[] Bias) Folded()
    {
        int d = Dimension;
        var w = new double[Weights.Length];
        var b = (double[])Bias.Clone();
        for (int c = 0; c < Classes; c++)
            for (int j = 0; j < d; j++)
            {
                w[c * d + j] = Weights[c * d + j] / Standardizer.Scale[j];
                b[c] -= w[c * d + j] * Standardizer.Mean[j];
            }
        return (w, b);
    }

    /// <summary>Class probabilities for one raw feature row.</summary>
    public double[] Probabilities(ReadOnlySpan<double> features)
    {
        if (features.Length != Dimension) throw new TrainingException($"a row of {features.Length} features; the classifier takes {Dimension}");
        var x = new double[Dimension];
        for (int j = 0; j < Dimension; j++) x[j] = (features[j] - Standardizer.Mean[j]) / Standardizer.Scale[j];
        var z = new double[Classes];
        for (int c = 0; c < Classes; c++) z[c] = TensorPrimitives.Dot(Weights.AsSpan(c * Dimension, Dimension), x) + Bias[c];
        double max = TensorPrimitives.Max<double>(z), sum = 0;
        for (int c = 0; c < Classes; c++) { z[c] = Math.Exp(z[c] - max); sum += z[c]; }
        for (int c = 0; c < Classes; c++) z[c] /= sum;
        return z;
    }

    /// <summary>The most probable class (the lowest index on a tie).</summary>
    public int Predict(ReadOnlySpan<double> features)
    {
        double[] p = Probabilities(features);
        int best = 0;
        for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
        return best;
    }

    /// <summary>The predicted class of every row of <paramref name="data"/>.</summary>
    public int[] Predict(LabelledData data)
    {
        var result = new int[data.Count];
        for (int i = 0; i < data.Count; i++) result[i] = Predict(data.Row(i));
        return result;
    }
}
