namespace Cardinal.Learning;

/// <summary>
/// The confusion matrix (rows: true class, columns: predicted) and what it gives: accuracy, and per class
/// precision = TP / predicted and recall = TP / actual (0 when the denominator is 0, as scikit-learn's
/// zero_division=0).
/// </summary>
public sealed class ClassificationMetrics
{
    /// <summary>Counts the confusion matrix of <paramref name="predicted"/> against <paramref name="truth"/> (class indices below <paramref name="classes"/>).</summary>
    public ClassificationMetrics(int[] truth, int[] predicted, int classes)
    {
        if (truth.Length != predicted.Length) throw new TrainingException($"{truth.Length} labels but {predicted.Length} predictions");
        Classes = classes;
        Confusion = new int[classes, classes];
        for (int i = 0; i < truth.Length; i++) Confusion[truth[i], predicted[i]]++;
        Count = truth.Length;
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }
    /// <summary>The number of samples counted.</summary>
    public int Count { get; }
    /// <summary>Confusion[true class, predicted class]: sample counts.</summary>
    public int[,] Confusion { get; }

    /// <summary>Samples predicted as their true class.</summary>
    public int Correct
    {
        get { int sum = 0; for (int c = 0; c < Classes; c++) sum += Confusion[c, c]; return sum; }
    }

    /// <summary>The fraction predicted correctly (0 when there are no samples).</summary>
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;

    /// <summary>Samples whose true class is <paramref name="c"/>.</summary>
    public int Actual(int c) { int sum = 0; for (int p = 0; p < Classes; p++) sum += Confusion[c, p]; return sum; }

    /// <summary>Samples predicted as class <paramref name="c"/>.</summary>
    public int PredictedAs(int c) { int sum = 0; for (int t = 0; t < Classes; t++) sum += Confusion[t, c]; return sum; }

    /// <summary>Precision of class <paramref name="c"/>: correct among those predicted as it (0 when none are).</summary>
    public double Precision(int c) => PredictedAs(c) == 0 ? 0 : (double)Confusion[c, c] / PredictedAs(c);

    /// <summary>Recall of class <paramref name="c"/>: correct among those that are it (0 when none are).</summary>
    public double Recall(int c) => Actual(c) == 0 ? 0 : (double)Confusion[c, c] / Actual(c);
}
