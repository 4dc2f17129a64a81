namespace Cardinal.Learning;

/// <summary>
/// n samples of d features, row-major in double, with a class index per sample in [0, classes).
/// The constructor checks the sizes once, so the trainer's loops need not.
/// </summary>
public sealed class LabelledData
{
    /// <summary>Wraps row-major <paramref name="features"/> and their <paramref name="labels"/>; sizes and label range are checked.</summary>
    public LabelledData(double[] features, int[] labels, int dimension, int classes)
    {
        if (dimension <= 0) throw new TrainingException($"feature dimension must be positive, got {dimension}");
        if (classes < 2) throw new TrainingException($"need at least 2 classes, got {classes}");
        if ((long)labels.Length * dimension != features.Length)
            throw new TrainingException($"{features.Length} feature values do not make {labels.Length} samples of {dimension}");
        foreach (int y in labels)
            if ((uint)y >= (uint)classes) throw new TrainingException($"label {y} is outside 0..{classes - 1}");
        foreach (double v in features)
            if (!double.IsFinite(v)) throw new TrainingException("a feature value is NaN or infinite");
        Features = features;
        Labels = labels;
        Dimension = dimension;
        Classes = classes;
    }

    /// <summary>The feature rows, row-major: <see cref="Count"/> × <see cref="Dimension"/>.</summary>
    public double[] Features { get; }
    /// <summary>Each row's class index.</summary>
    public int[] Labels { get; }
    /// <summary>Features per row.</summary>
    public int Dimension { get; }
    /// <summary>The number of classes.</summary>
    public int Classes { get; }
    /// <summary>The number of rows.</summary>
    public int Count => Labels.Length;

    /// <summary>Row <paramref name="i"/>'s features.</summary>
    public ReadOnlySpan<double> Row(int i) => Features.AsSpan(i * Dimension, Dimension);

    /// <summary>From float rows (embeddings as the engine produces them).</summary>
    public static LabelledData FromFloats(IReadOnlyList<float[]> rows, int[] labels, int classes)
    {
        if (rows.Count != labels.Length) throw new TrainingException($"{rows.Count} rows but {labels.Length} labels");
        if (rows.Count == 0) throw new TrainingException("no samples");
        int d = rows[0].Length;
        var x = new double[(long)rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d) throw new TrainingException($"row {i} has {rows[i].Length} values, row 0 has {d}");
            for (int j = 0; j < d; j++) x[(long)i * d + j] = rows[i][j];
        }
        return new LabelledData(x, labels, d, classes);
    }

    /// <summary>The samples at <paramref name="indices"/>, in that order.</summary>
    public LabelledData Subset(IReadOnlyList<int> indices)
    {
        var x = new double[(long)indices.Count * Dimension];
        var y = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Row(indices[i]).CopyTo(x.AsSpan(i * Dimension, Dimension));
            y[i] = Labels[indices[i]];
        }
        return new LabelledData(x, y, Dimension, Classes);
    }

    /// <summary>Rows per class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[Classes];
        foreach (int y in Labels) counts[y]++;
        return counts;
    }
}
