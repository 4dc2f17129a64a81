using Cardinal.Learning;

namespace Cardinal.Tests.Training;

/// <summary>
/// The linear-probe trainer: its gradient against finite differences, its optimum against scikit-learn's
/// multinomial LogisticRegression on the same data and λ (C = 1/(λ·n)), determinism, the folded layer, splits.
/// </summary>
public class TrainerTests
{
    /// <summary>
    /// Overlapping Gaussian classes in d dimensions, with features at very different scales and offsets
    /// (standardisation matters) and one constant feature (the zero-variance rule).
    /// </summary>
    internal static (float[] X, int[] Y) Blobs(int n, int d, int classes, int seed, double spread = 1.2)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var centres = new double[classes, d];
        for (int c = 0; c < classes; c++) for (int j = 0; j < d; j++) centres[c, j] = spread * Normal();
        var x = new float[n * d];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % classes;
            for (int j = 0; j < d; j++)
            {
                double scale = j % 3 == 0 ? 50 : j % 3 == 1 ? 0.02 : 1, offset = j % 2 == 0 ? 7 : -3;
                x[i * d + j] = j == d - 1 ? 4.5f : (float)(offset + scale * (centres[y[i], j] + Normal()));
            }
        }
        return (x, y);
    }

    private static LabelledData Data(float[] x, int[] y, int d, int classes) =>
        new(x.Select(v => (double)v).ToArray(), y, d, classes);

    [Test]
    public void SoftmaxObjective_Gradient_MatchesCentralDifferences()
    {
        var (x, y) = Blobs(60, 7, 3, seed: 1);
        var data = Standardizer.Fit(Data(x, y, 7, 3)).Transform(Data(x, y, 7, 3));
        var objective = new SoftmaxObjective(data, lambda: 0.03);
        var random = new Random(2);
        var theta = Enumerable.Range(0, objective.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        var gradient = new double[theta.Length];
        objective.Evaluate(theta, gradient);
        var scratch = new double[theta.Length];
        const double h = 1e-6;
        for (int p = 0; p < theta.Length; p++)
        {
            double saved = theta[p];
            theta[p] = saved + h; double up = objective.Evaluate(theta, scratch);
            theta[p] = saved - h; double down = objective.Evaluate(theta, scratch);
            theta[p] = saved;
            double numeric = (up - down) / (2 * h);
            Assert.That(gradient[p], Is.EqualTo(numeric).Within(1e-7 + 1e-5 * Math.Abs(numeric)), $"parameter {p}");
        }
    }

    [Test]
    public void Lbfgs_Quadratic_ReachesTheMinimiser()
    {
        // f(x) = ½ Σ aᵢ (xᵢ − i)² with condition number 1000.
        double[] a = Enumerable.Range(0, 20).Select(i => Math.Pow(1000, i / 19.0)).ToArray();
        var x = new double[20];
        var result = Lbfgs.Minimize((v, g) =>
        {
            double f = 0;
            for (int i = 0; i < v.Length; i++) { double r = v[i] - i; f += 0.5 * a[i] * r * r; g[i] = a[i] * r; }
            return f;
        }, x, new LbfgsOptions { GradientTolerance = 1e-9 });
        Assert.That(result.Converged, Is.True);
        for (int i = 0; i < 20; i++) Assert.That(x[i], Is.EqualTo(i).Within(1e-8), $"x[{i}]");
    }

    [TestCase(1e-3)]
    [TestCase(3e-2)]
    public void Trainer_Optimum_AgreesWithScikitLearn(double lambda)
    {
        const int n = 900, d = 24, k = 5, nTest = 600;
        var (x, y) = Blobs(n + nTest, d, k, seed: 7, spread: 0.45);
        float[] xTrain = x[..(n * d)], xTest = x[(n * d)..];
        int[] yTrain = y[..n], yTest = y[n..];
        var result = LinearProbeTrainer.Train(Data(xTrain, yTrain, d, k), new TrainerOptions { Lambda = lambda });
        Assert.That(result.Optimizer.Converged, Is.True, $"L-BFGS stopped at |g|∞ {result.Optimizer.GradientNorm:G3}");

        var reference = ScikitLearnReference.Fit(xTrain, n, d, yTrain, lambda, xTest, nTest);
        var test = Data(xTest, yTest, d, k);
        int[] ours = result.Classifier.Predict(test);
        double agreement = ours.Zip(reference.Predictions).Count(p => p.First == p.Second) / (double)nTest;
        double ourAccuracy = new ClassificationMetrics(yTest, ours, k).Accuracy;
        double theirAccuracy = new ClassificationMetrics(yTest, reference.Predictions.Select(p => (int)p).ToArray(), k).Accuracy;
        TestContext.Out.WriteLine($"λ {lambda}: agreement {agreement:P2}, accuracy {ourAccuracy:P2} (sklearn {theirAccuracy:P2}), {result.Optimizer.Iterations} iterations");
        Assert.That(agreement, Is.GreaterThanOrEqualTo(0.99));
        Assert.That(ourAccuracy, Is.EqualTo(theirAccuracy).Within(0.01));
        // Same objective, same minimiser: the coefficients themselves agree (sklearn's are stored as float32).
        double maxCoef = reference.Coef.Max(v => Math.Abs(v));
        for (int i = 0; i < reference.Coef.Length; i++)
            Assert.That(result.Classifier.Weights[i], Is.EqualTo(reference.Coef[i]).Within(1e-4 * maxCoef + 1e-6), $"coef {i}");
        for (int c = 0; c < k; c++)
            Assert.That(result.Classifier.Bias[c], Is.EqualTo(reference.Intercept[c]).Within(1e-4 * maxCoef + 1e-6), $"intercept {c}");
    }

    [Test]
    public void Trainer_SameSeed_SameBytes_AndCrossValidationPicksFromTheGrid()
    {
        var (x, y) = Blobs(300, 10, 3, seed: 3, spread: 0.5);
        var options = new TrainerOptions { Seed = 11, Folds = 4, LambdaGrid = [1e-1, 1e-2, 1e-3] };
        var first = LinearProbeTrainer.Train(Data(x, y, 10, 3), options);
        var second = LinearProbeTrainer.Train(Data(x, y, 10, 3), options with { Threads = 1 });
        Assert.That(second.Lambda, Is.EqualTo(first.Lambda));
        Assert.That(second.Classifier.Weights, Is.EqualTo(first.Classifier.Weights).AsCollection);
        Assert.That(second.Classifier.Bias, Is.EqualTo(first.Classifier.Bias).AsCollection);
        Assert.That(first.CrossValidation.Select(s => s.Lambda), Is.EquivalentTo(options.LambdaGrid));
        Assert.That(first.CrossValidation.Max(s => s.MeanAccuracy), Is.EqualTo(first.CrossValidation.Single(s => s.Lambda == first.Lambda).MeanAccuracy));
    }

    [Test]
    public void Folded_AffineLayer_EqualsStandardiseThenClassify()
    {
        var (x, y) = Blobs(200, 9, 4, seed: 5);
        var data = Data(x, y, 9, 4);
        var classifier = LinearProbeTrainer.Train(data, new TrainerOptions { Lambda = 1e-2 }).Classifier;
        var (w, b) = classifier.Folded();
        for (int i = 0; i < data.Count; i++)
        {
            var row = data.Row(i);
            double[] p = classifier.Probabilities(row);
            var z = new double[4];
            for (int c = 0; c < 4; c++) { z[c] = b[c]; for (int j = 0; j < 9; j++) z[c] += w[c * 9 + j] * row[j]; }
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < 4; c++) Assert.That(Math.Exp(z[c] - max) / sum, Is.EqualTo(p[c]).Within(1e-9), $"sample {i} class {c}");
        }
    }

    [Test]
    public void StratifiedSplit_KeepsEveryClassOnBothSides_AndFoldsBalanced()
    {
        int[] labels = [.. Enumerable.Repeat(0, 50), .. Enumerable.Repeat(1, 10), .. Enumerable.Repeat(2, 2)];
        var (train, test) = StratifiedSplit.Holdout(labels, 3, 0.2, seed: 1);
        Assert.That(test.Count(i => labels[i] == 0), Is.EqualTo(10));
        Assert.That(test.Count(i => labels[i] == 1), Is.EqualTo(2));
        Assert.That(test.Count(i => labels[i] == 2), Is.EqualTo(1));
        Assert.That(train.Concat(test).Order(), Is.EqualTo(Enumerable.Range(0, labels.Length)));
        Assert.That(StratifiedSplit.Holdout(labels, 3, 0.2, seed: 2).Test, Is.Not.EqualTo(test), "a different seed, a different split");

        int[] folds = StratifiedSplit.Folds(labels, 3, 5, seed: 1);
        for (int f = 0; f < 5; f++)
        {
            Assert.That(Enumerable.Range(0, 50).Count(i => folds[i] == f), Is.EqualTo(10), $"class 0 in fold {f}");
            Assert.That(Enumerable.Range(50, 10).Count(i => folds[i] == f), Is.EqualTo(2), $"class 1 in fold {f}");
        }
    }

    [Test]
    public void Metrics_ConfusionPrecisionRecall_AsCounted()
    {
        int[] truth = [0, 0, 0, 1, 1, 2];
        int[] predicted = [0, 1, 0, 1, 0, 1];
        var m = new ClassificationMetrics(truth, predicted, 3);
        Assert.That(m.Confusion, Is.EqualTo(new int[,] { { 2, 1, 0 }, { 1, 1, 0 }, { 0, 1, 0 } }));
        Assert.That(m.Accuracy, Is.EqualTo(0.5));
        Assert.That(m.Precision(0), Is.EqualTo(2.0 / 3));
        Assert.That(m.Recall(0), Is.EqualTo(2.0 / 3));
        Assert.That(m.Precision(1), Is.EqualTo(1.0 / 3));
        Assert.That(m.Recall(1), Is.EqualTo(0.5));
        Assert.That(m.Precision(2), Is.EqualTo(0), "never predicted: 0, as zero_division=0");
        Assert.That(m.Recall(2), Is.EqualTo(0));
    }

    [Test]
    public void BadData_ClearErrors()
    {
        Assert.That(() => new LabelledData([1, 2], [0, 0], 1, 1), Throws.TypeOf<TrainingException>().With.Message.Contains("at least 2 classes"));
        Assert.That(() => new LabelledData([1, 2, 3], [0, 1], 1, 2), Throws.TypeOf<TrainingException>());
        Assert.That(() => new LabelledData([1, double.NaN], [0, 1], 1, 2), Throws.TypeOf<TrainingException>().With.Message.Contains("NaN"));
        Assert.That(() => StratifiedSplit.Holdout([0, 0, 1], 2, 0.2, 0), Throws.TypeOf<TrainingException>().With.Message.Contains("class 1 has 1 sample"));
        Assert.That(() => LinearProbeTrainer.Train(new LabelledData([1, 2, 3], [0, 0, 0], 1, 2), new TrainerOptions { Lambda = 1 }),
            Throws.TypeOf<TrainingException>().With.Message.Contains("class 1 has no samples"));
    }
}
