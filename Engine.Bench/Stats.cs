namespace Cardinal.Bench;

/// <summary>The order statistics every runner reports, in one place.</summary>
internal static class Stats
{
    /// <summary>The upper median (the value at index n / 2 of the sorted values); <paramref name="whenEmpty"/> for none.</summary>
    public static double Median(IEnumerable<double> values, double whenEmpty = double.NaN)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? whenEmpty : sorted[sorted.Length / 2];
    }

    /// <summary>The value at rank round(p · (n − 1)) of the sorted values (p = 0.5: the median compare and sessions report).</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Round(p * (sorted.Length - 1)))];
    }
}
