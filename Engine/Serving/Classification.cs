namespace Cardinal.Serving;

/// <summary>Turning a classifier's output into ranked classes (the CLI's classify and the sample service share it).</summary>
public static class Classification
{
    /// <summary>Softmax in double, rounded once per class: probabilities that sum to 1 within float rounding.</summary>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) return [];
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var e = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < e.Length; i++) sum += e[i] = Math.Exp(logits[i] - max);
        var p = new float[e.Length];
        for (int i = 0; i < p.Length; i++) p[i] = (float)(e[i] / sum);
        return p;
    }

    /// <summary>The <paramref name="k"/> best classes, highest score first; ties go to the lower index.</summary>
    public static (int Index, float Score)[] Top(ReadOnlySpan<float> scores, int k)
    {
        float[] copy = scores.ToArray();
        return [.. Enumerable.Range(0, copy.Length).OrderByDescending(i => copy[i]).ThenBy(i => i).Take(k).Select(i => (i, copy[i]))];
    }
}
