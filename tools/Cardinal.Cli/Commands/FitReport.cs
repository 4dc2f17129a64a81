using System.Globalization;
using Cardinal.Learning;

namespace Cardinal.Cli.Commands;

/// <summary>What `cardinal fit` prints: the data, the λ search, held-out accuracy, per-class precision/recall, the confusion matrix, timings.</summary>
internal sealed record FitReport(FitDataset Dataset, ImagePipeline Pipeline, FitOptions Options, TrainingResult Result,
    ClassificationMetrics? Metrics, int Images, int Train, int Test, int FromCache, int Embedded, double EmbedSeconds, double TrainSeconds)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public void WriteText(TextWriter o)
    {
        string[] classes = Dataset.Classes;
        o.WriteLine(string.Create(Invariant, $"fit: {classes.Length} classes, {Images} images ({Train} train, {Test} held out), {Pipeline.Preset.Name} embeddings of {Pipeline.ModelPath}"));
        if (Result.CrossValidation.Count > 0)
            o.WriteLine("λ by " + (Result.CrossValidation.Count > 0 ? "cross-validation: " : "") + string.Join("  ",
                Result.CrossValidation.Select(s => string.Create(Invariant, $"{s.Lambda:G3} {s.MeanAccuracy:P1}{(s.Lambda == Result.Lambda ? " ←" : "")}"))));
        else o.WriteLine(string.Create(Invariant, $"λ {Result.Lambda:G6} (given)"));
        if (Metrics is { } m)
        {
            o.WriteLine(string.Create(Invariant, $"held-out accuracy: {m.Accuracy:P2} ({m.Correct}/{m.Count})"));
            int width = Math.Max(5, classes.Max(c => c.Length));
            o.WriteLine($"  {"class".PadRight(width)}  precision  recall  support");
            for (int c = 0; c < classes.Length; c++)
                o.WriteLine(string.Create(Invariant, $"  {classes[c].PadRight(width)}  {m.Precision(c),9:P1}  {m.Recall(c),6:P1}  {m.Actual(c),7}"));
            o.WriteLine("confusion matrix (rows: true class, columns: predicted, in the order above):");
            int cell = Math.Max(4, m.Count.ToString(Invariant).Length + 1);
            for (int t = 0; t < classes.Length; t++)
                o.WriteLine($"  {classes[t].PadRight(width)} " + string.Concat(Enumerable.Range(0, classes.Length).Select(p => m.Confusion[t, p].ToString(Invariant).PadLeft(cell))));
        }
        else o.WriteLine("no held-out split (--holdout 0): trained on every image, no accuracy to report");
        o.WriteLine(string.Create(Invariant, $"time: embedding {EmbedSeconds:F1} s ({Embedded} computed, {FromCache} from cache), training {TrainSeconds:F1} s ({Result.Optimizer.Iterations} L-BFGS iterations for the final fit)"));
        o.WriteLine($"wrote {Options.Out}");
    }

    public void WriteJson(TextWriter stdout, IReadOnlyList<ImageResult> results) => JsonOutput.Write(stdout, w =>
    {
        w.WriteString("model", Pipeline.ModelPath);
        w.WriteString("preset", Pipeline.Preset.Name);
        w.WriteString("out", Options.Out);
        w.WriteStartArray("classes");
        foreach (string c in Dataset.Classes) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteNumber("images", Images);
        w.WriteNumber("train", Train);
        w.WriteNumber("heldOut", Test);
        w.WriteNumber("lambda", Result.Lambda);
        w.WriteBoolean("lambdaFromCrossValidation", Result.CrossValidation.Count > 0);
        w.WriteStartArray("crossValidation");
        foreach (var s in Result.CrossValidation)
        {
            w.WriteStartObject();
            w.WriteNumber("lambda", s.Lambda);
            w.WriteNumber("meanAccuracy", Math.Round(s.MeanAccuracy, 6));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (Metrics is { } m)
        {
            w.WriteNumber("accuracy", Math.Round(m.Accuracy, 6));
            w.WriteStartArray("perClass");
            for (int c = 0; c < Dataset.Classes.Length; c++)
            {
                w.WriteStartObject();
                w.WriteString("class", Dataset.Classes[c]);
                w.WriteNumber("precision", Math.Round(m.Precision(c), 6));
                w.WriteNumber("recall", Math.Round(m.Recall(c), 6));
                w.WriteNumber("support", m.Actual(c));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("confusion");
            for (int t = 0; t < Dataset.Classes.Length; t++)
            {
                w.WriteStartArray();
                for (int p = 0; p < Dataset.Classes.Length; p++) w.WriteNumberValue(m.Confusion[t, p]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        else w.WriteNull("accuracy");
        w.WriteStartObject("seconds");
        w.WriteNumber("embedding", Math.Round(EmbedSeconds, 3));
        w.WriteNumber("training", Math.Round(TrainSeconds, 3));
        w.WriteEndObject();
        w.WriteNumber("embedded", Embedded);
        w.WriteNumber("fromCache", FromCache);
        w.WriteNumber("iterations", Result.Optimizer.Iterations);
        JsonOutput.WriteErrors(w, results);
    });
}
