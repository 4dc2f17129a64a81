namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// The transforms of Winograd's minimal filtering F(m×m, 3×3): y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A over an
/// (m+2)×(m+2) input tile d. Built here in double precision by the Toom-Cook construction from the interpolation
/// points (plus the point at infinity): G evaluates the filter polynomial at the points, Aᵀ is the transposed
/// evaluation of the output polynomial, Bᵀ the transposed inverse of the full Vandermonde matrix (the transposition
/// principle turns the linear convolution into the correlation a convolution layer computes). Each row of Bᵀ is
/// scaled by its smallest nonzero magnitude, and the matching row of G by the inverse, so Bᵀ holds small exact
/// numbers (1, 1.5, 2, 5) and the fractions go into the filter transform, done once in double.
/// The hand-written transforms of <see cref="WinogradTransforms{TVec}"/> spell these matrices out; a test checks
/// that they agree, and the reference twin uses these matrices directly.
/// </summary>
internal sealed class WinogradMatrices
{
    /// <summary>
    /// F(2×2, 3×3) on the points 0, 1, −1, ∞ (Lavin's): 16 multiplications per 2×2 output tile and channel pair
    /// where direct convolution does 36 (2.25×); every transform entry is 0, ±1 or ½, so it is nearly as exact
    /// as direct summation.
    /// </summary>
    public static WinogradMatrices F2 { get; } = new(2, [0, 1, -1]);

    /// <summary>
    /// F(4×4, 3×3) on the points 0, −1, 1, ½, −2, ∞ rather than the usual 0, ±1, ±2, ∞: swapping 2 for ½ keeps
    /// the Vandermonde matrix better conditioned, and on random and ReLU-positive data the float32 error against
    /// float64 is ~1.7× lower (median 2.1e-6 against 3.5e-6 of the output's magnitude, 256 channels; the
    /// measurement and the candidates are in Engine.Bench/NOTES.md, "Winograd"); Barabasz et al. (2020) report the
    /// same pick. 36 multiplications per 4×4 output tile and channel pair where direct convolution does 144 (4×).
    /// </summary>
    public static WinogradMatrices F4 { get; } = new(4, [0, -1, 1, 0.5, -2]);

    /// <summary>Output tile side m.</summary>
    public int M { get; }
    /// <summary>Input tile side m + 2 (the filter is 3×3).</summary>
    public int N => M + 2;
    /// <summary>The finite interpolation points (∞ is the last).</summary>
    public IReadOnlyList<double> Points { get; }
    /// <summary>Aᵀ: M × N.</summary>
    public double[,] AT { get; }
    /// <summary>G: N × 3.</summary>
    public double[,] G { get; }
    /// <summary>Bᵀ: N × N.</summary>
    public double[,] BT { get; }

    private WinogradMatrices(int m, double[] points)
    {
        const int r = 3;
        int n = m + r - 1;
        if (points.Length != n - 1) throw new ArgumentException($"F({m},{r}) needs {n - 1} finite points.", nameof(points));
        M = m;
        Points = points;
        // Vandermonde rows p^0 … p^(cols−1) for the finite points, and the point at infinity (the leading coefficient) last.
        double[,] Vandermonde(int cols)
        {
            var v = new double[n, cols];
            for (int j = 0; j < n - 1; j++)
                for (int k = 0; k < cols; k++) v[j, k] = Math.Pow(points[j], k);
            v[n - 1, cols - 1] = 1;
            return v;
        }
        double[,] vm = Vandermonde(m), vr = Vandermonde(r), inverse = Invert(Vandermonde(n));
        AT = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) AT[i, j] = vm[j, i];
        G = vr;
        BT = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double smallest = double.PositiveInfinity;
            for (int k = 0; k < n; k++)
                if (Math.Abs(inverse[k, j]) > 1e-12) smallest = Math.Min(smallest, Math.Abs(inverse[k, j]));
            for (int k = 0; k < n; k++) BT[j, k] = Snap(inverse[k, j] / smallest);
            for (int k = 0; k < r; k++) G[j, k] *= smallest;
        }
    }

    /// <summary>Rounds away the inversion's last-bit noise: the scaled Bᵀ entries are short binary fractions.</summary>
    private static double Snap(double value)
    {
        double scaled = Math.Round(value * 1024) / 1024;
        return Math.Abs(scaled - value) < 1e-9 ? scaled : value;
    }

    /// <summary>Gauss-Jordan with partial pivoting (n ≤ 6, well conditioned for these points).</summary>
    private static double[,] Invert(double[,] a)
    {
        int n = a.GetLength(0);
        var m = new double[n, 2 * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) m[i, j] = a[i, j];
            m[i, n + i] = 1;
        }
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int i = col + 1; i < n; i++) if (Math.Abs(m[i, col]) > Math.Abs(m[pivot, col])) pivot = i;
            if (Math.Abs(m[pivot, col]) < 1e-12) throw new InvalidOperationException("Winograd points must be distinct.");
            for (int j = 0; j < 2 * n; j++) (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j]);
            double inv = 1 / m[col, col];
            for (int j = 0; j < 2 * n; j++) m[col, j] *= inv;
            for (int i = 0; i < n; i++)
            {
                if (i == col || m[i, col] == 0) continue;
                double f = m[i, col];
                for (int j = 0; j < 2 * n; j++) m[i, j] -= f * m[col, j];
            }
        }
        var result = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) result[i, j] = m[i, n + j];
        return result;
    }

    /// <summary>U = G g Gᵀ for one 3×3 filter g (row-major), in double: N × N values, row-major.</summary>
    public void TransformFilter(ReadOnlySpan<float> g, Span<double> u)
    {
        int n = N;
        Span<double> t = stackalloc double[n * 3];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 3; k++)
                t[i * 3 + k] = G[i, 0] * g[k] + G[i, 1] * g[3 + k] + G[i, 2] * g[6 + k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                u[i * n + j] = t[i * 3] * G[j, 0] + t[i * 3 + 1] * G[j, 1] + t[i * 3 + 2] * G[j, 2];
    }
}
