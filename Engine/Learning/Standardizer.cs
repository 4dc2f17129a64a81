namespace Cardinal.Learning;

/// <summary>
/// Per-feature mean and standard deviation (population, ddof 0, as scikit-learn's StandardScaler); a
/// constant feature keeps scale 1, so it maps to 0 instead of dividing by zero.
/// </summary>
public sealed class Standardizer
{
    private Standardizer(double[] mean, double[] scale) { Mean = mean; Scale = scale; }

    /// <summary>Each feature's mean.</summary>
    public double[] Mean { get; }
    /// <summary>Each feature's scale (its standard deviation, 1 for a constant feature).</summary>
    public double[] Scale { get; }

    /// <summary>Fits the means and scales of <paramref name="data"/>'s features.</summary>
    public static Standardizer Fit(LabelledData data)
    {
        int d = data.Dimension, n = data.Count;
        var mean = new double[d];
        var scale = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = data.Row(i);
            for (int j = 0; j < d; j++) mean[j] += row[j];
        }
        for (int j = 0; j < d; j++) mean[j] /= n;
        for (int i = 0; i < n; i++)
        {
            var row = data.Row(i);
            for (int j = 0; j < d; j++) { double c = row[j] - mean[j]; scale[j] += c * c; }
        }
        for (int j = 0; j < d; j++)
        {
            double s = Math.Sqrt(scale[j] / n);
            // StandardScaler's rule: a (numerically) constant feature is left unscaled.
            scale[j] = s < 10 * double.Epsilon || s <= 1e-12 * Math.Max(1, Math.Abs(mean[j])) ? 1 : s;
        }
        return new Standardizer(mean, scale);
    }

    /// <summary>A copy of <paramref name="data"/> with standardised features.</summary>
    public LabelledData Transform(LabelledData data)
    {
        if (data.Dimension != Mean.Length) throw new TrainingException($"data has {data.Dimension} features; the standardizer was fitted on {Mean.Length}");
        int d = data.Dimension;
        var x = new double[data.Features.Length];
        for (int i = 0; i < data.Count; i++)
        {
            var row = data.Row(i);
            for (int j = 0; j < d; j++) x[(long)i * d + j] = (row[j] - Mean[j]) / Scale[j];
        }
        return new LabelledData(x, data.Labels, d, data.Classes);
    }
}
