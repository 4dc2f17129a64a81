namespace Cardinal.Learning;

/// <summary>
/// The confusion matrix (rows: true class, columns: predicted) and what it gives: accuracy, and per class
/// precision = TP / predicted and recall = TP / actual (0 when the denominator is 0, as scikit-learn's
/// zero_division=0).
/// </summary>
public sealed class ClassificationMetrics
{
    public ClassificationMetrics(int[] truth, int[] predicted, int classes)
    {
        if (truth.Length != predicted.Length) throw new TrainingException($"{truth.Length} labels but {predicted.Length} predictions");
        Classes = classes;
        Confusion = new int[classes, classes];
        for (int i = 0; i < truth.Length; i++) Confusion[truth[i], predicted[i]]++;
        Count = truth.Length;
    }

    public int Classes { get; }
    public int Count { get; }
    public int[,] Confusion { get; }

    public int Correct
    {
        get { int sum = 0; for (int c = 0; c < Classes; c++) sum += Confusion[c, c]; return sum; }
    }

    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;

    public int Actual(int c) { int sum = 0; for (int p = 0; p < Classes; p++) sum += Confusion[c, p]; return sum; }

    public int PredictedAs(int c) { int sum = 0; for (int t = 0; t < Classes; t++) sum += Confusion[t, c]; return sum; }

    public double Precision(int c) => PredictedAs(c) == 0 ? 0 : (double)Confusion[c, c] / PredictedAs(c);

    public double Recall(int c) => Actual(c) == 0 ? 0 : (double)Confusion[c, c] / Actual(c);
}
