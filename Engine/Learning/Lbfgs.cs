using System.Numerics.Tensors;

namespace Cardinal.Learning;

/// <summary>Stopping rules and memory for <see cref="Lbfgs"/>.</summary>
public sealed record LbfgsOptions
{
    /// <summary>Pairs (s, y) kept for the inverse-Hessian estimate.</summary>
    public int Memory { get; init; } = 10;
    /// <summary>Stop when the largest gradient component is at most this.</summary>
    public double GradientTolerance { get; init; } = 1e-7;
    /// <summary>Iterations before the optimizer stops unconverged.</summary>
    public int MaxIterations { get; init; } = 2000;
}

/// <summary>What <see cref="Lbfgs.Minimize"/> reached.</summary>
public readonly record struct LbfgsResult(double Value, double GradientNorm, int Iterations, int Evaluations, bool Converged);

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, algorithm 7.4: the two-loop recursion) with a backtracking
/// Armijo line search. Full-batch and single-threaded, with no randomness: the same start and objective
/// give the same bytes. A pair with non-positive curvature (sᵀy ≤ 0, impossible on a strictly convex
/// objective but possible in rounding) is skipped rather than allowed to break positive definiteness.
/// </summary>
internal static class Lbfgs
{
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>max |gᵢ| (MaxMagnitude returns the signed element, hence the Abs).</summary>
    private static double InfinityNorm(double[] g) => g.Length == 0 ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude<double>(g));

    public static LbfgsResult Minimize(Objective f, double[] x, LbfgsOptions options)
    {
        int n = x.Length, m = options.Memory;
        var g = new double[n];
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var s = new double[m][];
        var y = new double[m][];
        var rho = new double[m];
        var alpha = new double[m];
        for (int i = 0; i < m; i++) { s[i] = new double[n]; y[i] = new double[n]; }
        int stored = 0, head = 0, evaluations = 1;
        double fx = f(x, g);
        if (!double.IsFinite(fx)) throw new TrainingException("the objective is not finite at the start");

        for (int iteration = 0; iteration < options.MaxIterations; iteration++)
        {
            double gNorm = InfinityNorm(g);
            if (gNorm <= options.GradientTolerance) return new(fx, gNorm, iteration, evaluations, true);

            // Two-loop recursion: d = −H g, newest pair first, then oldest first.
            g.AsSpan().CopyTo(d);
            for (int j = 0; j < stored; j++)
            {
                int i = (head - 1 - j + m) % m;
                alpha[i] = rho[i] * TensorPrimitives.Dot<double>(s[i], d);
                TensorPrimitives.MultiplyAdd(y[i], -alpha[i], d, d);
            }
            double gamma = 1;
            if (stored > 0)
            {
                int newest = (head - 1 + m) % m;
                gamma = TensorPrimitives.Dot<double>(s[newest], y[newest]) / TensorPrimitives.Dot<double>(y[newest], y[newest]);
            }
            TensorPrimitives.Multiply(d, gamma, d);
            for (int j = stored - 1; j >= 0; j--)
            {
                int i = (head - 1 - j + m) % m;
                double beta = rho[i] * TensorPrimitives.Dot<double>(y[i], d);
                TensorPrimitives.MultiplyAdd(s[i], alpha[i] - beta, d, d);
            }
            TensorPrimitives.Negate(d, d);

            double slope = TensorPrimitives.Dot<double>(g, d);
            if (slope >= 0)
            {
                // Not a descent direction (rounding): restart from steepest descent.
                stored = 0;
                TensorPrimitives.Negate(g, d);
                slope = -TensorPrimitives.Dot<double>(g, g);
            }
            // The first step has no curvature yet: scale it to a unit move.
            double step = stored == 0 && iteration == 0 ? 1.0 / Math.Max(1.0, TensorPrimitives.Norm<double>(d)) : 1.0;
            double fNew;
            int backtracks = 0;
            while (true)
            {
                TensorPrimitives.MultiplyAdd(d, step, x, xNew);
                fNew = f(xNew, gNew);
                evaluations++;
                if (double.IsFinite(fNew) && fNew <= fx + 1e-4 * step * slope) break;
                step *= 0.5;
                if (++backtracks > 60)
                    // No decrease along a descent direction: we are at the optimum to rounding.
                    return new(fx, gNorm, iteration, evaluations, gNorm <= Math.Sqrt(options.GradientTolerance));
            }

            // Keep the pair sₖ = x₊ − x, yₖ = g₊ − g when its curvature is positive.
            TensorPrimitives.Subtract(xNew, x, s[head]);
            TensorPrimitives.Subtract(gNew, g, y[head]);
            double sy = TensorPrimitives.Dot<double>(s[head], y[head]);
            if (sy > 1e-12 * TensorPrimitives.Norm<double>(s[head]) * TensorPrimitives.Norm<double>(y[head]))
            {
                rho[head] = 1 / sy;
                head = (head + 1) % m;
                stored = Math.Min(stored + 1, m);
            }
            bool stalled = fx - fNew <= 1e-15 * Math.Abs(fx);
            xNew.AsSpan().CopyTo(x);
            gNew.AsSpan().CopyTo(g);
            fx = fNew;
            if (stalled)
            {
                double norm = InfinityNorm(g);
                return new(fx, norm, iteration + 1, evaluations, norm <= options.GradientTolerance);
            }
        }
        double final = InfinityNorm(g);
        return new(fx, final, options.MaxIterations, evaluations, final <= options.GradientTolerance);
    }
}
