using System.Diagnostics;

namespace Cardinal.Learning;

/// <summary>How <see cref="LinearProbeTrainer"/> trains: a fixed λ, or the λ grid searched by stratified k-fold CV.</summary>
public sealed record TrainerOptions
{
    /// <summary>The L2 strength (see <see cref="SoftmaxObjective"/>); null chooses it by cross-validation over <see cref="LambdaGrid"/>.</summary>
    public double? Lambda { get; init; }
    /// <summary>Searched from the strongest down, each fit starting from the previous optimum (a warm start).</summary>
    public IReadOnlyList<double> LambdaGrid { get; init; } = [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5];
    /// <summary>Folds of the stratified cross-validation that chooses λ.</summary>
    public int Folds { get; init; } = 5;
    /// <summary>Seed of the fold assignment (same seed, same result).</summary>
    public ulong Seed { get; init; } = 0;
    /// <summary>Folds trained at once; each fit is itself single-threaded, so the answer does not depend on it.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Settings of the final fit's optimizer.</summary>
    public LbfgsOptions Optimizer { get; init; } = new();
    /// <summary>
    /// The cross-validation fits only rank λ by accuracy, so they stop earlier than the final fit: a looser
    /// gradient tolerance changes the predictions of a well-conditioned problem by nothing that shows in a
    /// mean accuracy, and saves most of the iterations.
    /// </summary>
    public LbfgsOptions CrossValidationOptimizer { get; init; } = new() { GradientTolerance = 1e-5 };
}

/// <summary>Cross-validated accuracy of one λ: the mean over folds of the held-out fold's accuracy.</summary>
public readonly record struct LambdaScore(double Lambda, double MeanAccuracy);

/// <summary>What <see cref="LinearProbeTrainer.Train"/> returns: the classifier, the chosen λ, the cross-validation scores, the final fit's optimizer report and the time taken.</summary>
public sealed record TrainingResult(SoftmaxClassifier Classifier, double Lambda, IReadOnlyList<LambdaScore> CrossValidation,
    LbfgsResult Optimizer, TimeSpan Elapsed);

/// <summary>
/// A linear probe: multinomial logistic regression with L2 on standardised features, the optimum found by
/// L-BFGS from zero (deterministic: same data, options and seed ⇒ the same bytes). λ, when not given, is the
/// grid value with the best mean stratified k-fold accuracy; a tie goes to the larger λ (the simpler model).
/// </summary>
public static class LinearProbeTrainer
{
    /// <summary>Chooses λ (unless given) by cross-validation, then fits the classifier on all of <paramref name="data"/>.</summary>
    public static TrainingResult Train(LabelledData data, TrainerOptions options)
    {
        var clock = Stopwatch.StartNew();
        CheckClasses(data);
        IReadOnlyList<LambdaScore> scores = [];
        double lambda;
        if (options.Lambda is double fixedLambda)
        {
            if (!(fixedLambda >= 0) || !double.IsFinite(fixedLambda)) throw new TrainingException($"λ must be a non-negative number, got {fixedLambda}");
            lambda = fixedLambda;
        }
        else
        {
            scores = CrossValidate(data, options);
            lambda = scores.OrderByDescending(s => s.MeanAccuracy).ThenByDescending(s => s.Lambda).First().Lambda;
        }
        var (classifier, optimum) = Fit(data, lambda, options.Optimizer, warmStart: null);
        return new TrainingResult(classifier, lambda, scores, optimum, clock.Elapsed);
    }

    /// <summary>Fits at one λ; <paramref name="warmStart"/> (θ on standardised features) seeds the optimizer.</summary>
    public static (SoftmaxClassifier Classifier, LbfgsResult Optimizer) Fit(LabelledData data, double lambda, LbfgsOptions optimizer, double[]? warmStart)
    {
        var standardizer = Standardizer.Fit(data);
        var objective = new SoftmaxObjective(standardizer.Transform(data), lambda);
        var theta = warmStart is null ? new double[objective.ParameterCount] : (double[])warmStart.Clone();
        if (theta.Length != objective.ParameterCount) throw new TrainingException("warm start has the wrong size");
        var result = Lbfgs.Minimize(objective.Evaluate, theta, optimizer);
        int kd = data.Classes * data.Dimension;
        var classifier = new SoftmaxClassifier(standardizer, theta[..kd], theta[kd..], data.Classes, data.Dimension, lambda);
        return (classifier, result);
    }

    /// <summary>Mean held-out-fold accuracy for every λ of the grid, folds in parallel, λ path warm-started within a fold.</summary>
    public static IReadOnlyList<LambdaScore> CrossValidate(LabelledData data, TrainerOptions options)
    {
        if (options.LambdaGrid.Count == 0) throw new TrainingException("the λ grid is empty");
        int smallest = data.ClassCounts().Min();
        // A class smaller than k cannot be in every fold; fewer folds keep every fold's training set whole.
        int folds = Math.Clamp(smallest, 2, Math.Max(2, options.Folds));
        int[] fold = StratifiedSplit.Folds(data.Labels, data.Classes, folds, options.Seed);
        double[] grid = [.. options.LambdaGrid.OrderByDescending(l => l)];
        var accuracy = new double[folds, grid.Length];
        Parallel.For(0, folds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads) }, f =>
        {
            var trainIdx = Enumerable.Range(0, data.Count).Where(i => fold[i] != f).ToArray();
            var testIdx = Enumerable.Range(0, data.Count).Where(i => fold[i] == f).ToArray();
            LabelledData train = data.Subset(trainIdx), test = data.Subset(testIdx);
            double[]? theta = null;
            for (int l = 0; l < grid.Length; l++)
            {
                var (classifier, _) = Fit(train, grid[l], options.CrossValidationOptimizer, theta);
                theta = [.. classifier.Weights, .. classifier.Bias];
                accuracy[f, l] = new ClassificationMetrics(test.Labels, classifier.Predict(test), data.Classes).Accuracy;
            }
        });
        return grid.Select((l, j) => new LambdaScore(l, Enumerable.Range(0, folds).Average(f => accuracy[f, j]))).ToList();
    }

    private static void CheckClasses(LabelledData data)
    {
        int[] counts = data.ClassCounts();
        int empty = Array.IndexOf(counts, 0);
        if (empty >= 0) throw new TrainingException($"class {empty} has no samples");
    }
}
