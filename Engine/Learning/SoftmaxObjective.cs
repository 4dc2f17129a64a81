using System.Numerics.Tensors;

namespace Cardinal.Learning;

/// <summary>
/// The multinomial logistic regression objective on standardised features, over θ = [W (K×D, row-major), b (K)]:
///   f(θ) = (1/n) Σᵢ [log Σₖ exp(zᵢₖ) − zᵢ,yᵢ] + (λ/2)‖W‖²,  zᵢ = W xᵢ + b   (the intercept is not penalised).
/// Multiplying by C·n with C = 1/(λ·n) gives scikit-learn's C·Σ loss + ½‖W‖², so both have the same minimiser.
/// Sums run in sample order on one thread: the same data give the same bits.
/// </summary>
internal sealed class SoftmaxObjective(LabelledData data, double lambda)
{
    public int Classes => data.Classes;
    public int Dimension => data.Dimension;
    public int ParameterCount => data.Classes * (data.Dimension + 1);
    public double Lambda => lambda;

    /// <summary>Returns f(θ) and writes ∇f(θ) into <paramref name="gradient"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> theta, Span<double> gradient)
    {
        int k = data.Classes, d = data.Dimension, n = data.Count;
        ReadOnlySpan<double> w = theta[..(k * d)], b = theta[(k * d)..];
        Span<double> gw = gradient[..(k * d)], gb = gradient[(k * d)..];
        gradient.Clear();
        Span<double> z = k <= 256 ? stackalloc double[k] : new double[k];
        double loss = 0, inv = 1.0 / n;
        for (int i = 0; i < n; i++)
        {
            var x = data.Row(i);
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                z[c] = TensorPrimitives.Dot(w.Slice(c * d, d), x) + b[c];
                max = Math.Max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) { z[c] = Math.Exp(z[c] - max); sum += z[c]; }
            int y = data.Labels[i];
            // −log pᵧ = log Σ exp(z − max) − (zᵧ − max); z now holds exp(z − max).
            loss += Math.Log(sum) - Math.Log(z[y]);
            for (int c = 0; c < k; c++)
            {
                double r = (z[c] / sum - (c == y ? 1 : 0)) * inv;
                gb[c] += r;
                var row = gw.Slice(c * d, d);
                TensorPrimitives.MultiplyAdd(x, r, row, row);
            }
        }
        loss *= inv;
        // The penalty on W only.
        loss += 0.5 * lambda * TensorPrimitives.Dot(w, w);
        TensorPrimitives.MultiplyAdd(w, lambda, gw, gw);
        return loss;
    }
}
