using System.Diagnostics;
using System.Globalization;
using Cardinal.Formats.Onnx;
using Cardinal.Learning;

namespace Cardinal.Cli.Commands;

/// <summary>
/// cardinal fit DIR --out MODEL.onnx: a classifier for your own photos. Embeds every image with the backbone
/// (through the embedding cache), trains a linear probe on the embeddings (Cardinal.Learning: multinomial
/// logistic regression, L2, λ by cross-validation unless --l2), reports held-out accuracy, per-class
/// precision/recall and the confusion matrix, and writes backbone + head as one ONNX file whose metadata
/// carries the class names and the preset.
/// </summary>
internal static class FitCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr) => Execute(FitOptions.From(a), stdout, stderr);

    public static int Execute(FitOptions options, TextWriter stdout, TextWriter stderr)
    {
        var dataset = FitDataset.Scan(options.Directory);
        int minimum = options.Holdout > 0 ? 2 : 1;
        // A class too small to split is refused before minutes of embedding, not after.
        for (int c = 0; c < dataset.Classes.Length; c++)
            if (dataset.Labels.Count(l => l == c) < minimum) throw new UsageException(TooFew(dataset.Classes[c], dataset.Labels.Count(l => l == c), options, "image"));
        string? outDir = Path.GetDirectoryName(Path.GetFullPath(options.Out));
        if (outDir is not null && !Directory.Exists(outDir)) throw new UsageException($"output folder not found: {outDir}");

        // 1. Embeddings, cached as `similar` caches them (same model and preset, same entries).
        var embedClock = Stopwatch.StartNew();
        using var pipeline = ImagePipeline.Create(options.Images);
        if (pipeline.Labels is not null)
            throw new UsageException($"{pipeline.ModelPath} is already a fitted classifier; fit on its backbone instead");
        var cache = options.NoCache ? null : new EmbeddingCache(pipeline.Fingerprint());
        var embeddings = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string f in dataset.Files)
            if (cache?.TryGet(f) is float[] hit) embeddings[f] = hit;
        int fromCache = embeddings.Count;
        var missing = dataset.Files.Where(f => !embeddings.ContainsKey(f)).ToList();
        var progress = new ProgressReporter(missing.Count, stderr, ProgressReporter.TerminalAttached && !options.Json);
        var computed = pipeline.Run(missing, progress);
        foreach (var r in computed.Where(r => r.Output is not null))
        {
            embeddings[r.File] = r.Output!;
            cache?.Put(r.File, r.Output!);
        }
        double embedSeconds = embedClock.Elapsed.TotalSeconds;

        // 2. The images that loaded, and a check that every class still has enough of them.
        var kept = Enumerable.Range(0, dataset.Files.Length).Where(i => embeddings.ContainsKey(dataset.Files[i])).ToList();
        int[] perClass = new int[dataset.Classes.Length];
        foreach (int i in kept) perClass[dataset.Labels[i]]++;
        for (int c = 0; c < perClass.Length; c++)
            if (perClass[c] < minimum)
            {
                ImageJobReport.Finish(computed, stderr);
                throw new UsageException(TooFew(dataset.Classes[c], perClass[c], options, "readable image"));
            }
        var rows = kept.Select(i => embeddings[dataset.Files[i]]).ToList();
        if (rows.Any(r => r.Length != rows[0].Length)) throw new UsageException("the model's outputs differ in size between images");
        var data = LabelledData.FromFloats(rows, [.. kept.Select(i => dataset.Labels[i])], dataset.Classes.Length);

        // 3. Train on the training split (all of it with --holdout 0), measure on the held-out split.
        var trainClock = Stopwatch.StartNew();
        var (trainIdx, testIdx) = options.Holdout > 0
            ? StratifiedSplit.Holdout(data.Labels, data.Classes, options.Holdout, options.Seed)
            : ([.. Enumerable.Range(0, data.Count)], []);
        var trainerOptions = new TrainerOptions { Lambda = options.L2, Folds = options.Folds, Seed = options.Seed, Threads = options.Images.Backend.Threads };
        TrainingResult result = LinearProbeTrainer.Train(data.Subset(trainIdx), trainerOptions);
        ClassificationMetrics? metrics = null;
        if (testIdx.Length > 0)
        {
            var test = data.Subset(testIdx);
            metrics = new ClassificationMetrics(test.Labels, result.Classifier.Predict(test), data.Classes);
        }
        double trainSeconds = trainClock.Elapsed.TotalSeconds;

        // 4. Backbone + Flatten + Gemm (standardisation folded in) + Softmax, labels and preset in metadata_props.
        var (w, b) = result.Classifier.Folded();
        var head = new ClassifierHead([.. w.Select(v => (float)v)], [.. b.Select(v => (float)v)], data.Classes, data.Dimension,
            new Dictionary<string, string>
            {
                [ClassifierMetadata.LabelsKey] = ClassifierMetadata.EncodeLabels(dataset.Classes),
                [ClassifierMetadata.PresetKey] = pipeline.Preset.Name,
                [ClassifierMetadata.HeadKey] = string.Create(CultureInfo.InvariantCulture,
                    $"linear probe (multinomial logistic regression, L2 λ={result.Lambda:G6}, standardised features) on {data.Dimension}-d embeddings of {trainIdx.Length} images"),
            });
        OnnxClassifierExport.Write(pipeline.ModelPath, options.Out, head);

        var report = new FitReport(dataset, pipeline, options, result, metrics, data.Count, trainIdx.Length, testIdx.Length,
            fromCache, missing.Count, embedSeconds, trainSeconds);
        if (options.Json) report.WriteJson(stdout, computed);
        else report.WriteText(stdout);
        return ImageJobReport.Finish(computed, stderr);
    }

    private static string TooFew(string className, int count, FitOptions options, string what) =>
        $"class '{className}' has {count} {what}{(count == 1 ? "" : "s")}; "
        + (options.Holdout > 0 ? "fit needs at least 2 per class (one to train, one to hold out), or --holdout 0" : "fit needs at least 1 per class");
}
