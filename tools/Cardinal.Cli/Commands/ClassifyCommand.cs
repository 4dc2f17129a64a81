using Cardinal.Formats.Images;
using Cardinal.Serving;

namespace Cardinal.Cli.Commands;

/// <summary>
/// cardinal classify --model M [--labels L.txt] [--preset imagenet] IMAGES… | DIR [--top 5] [--json]:
/// top-k classes per image. Logits go through softmax unless the model already ends in Softmax. Without
/// --labels the model's own labels (metadata_props, as `cardinal fit` writes them) are used, else a 1000-class
/// output gets the bundled ImageNet-1k names (torchvision's order).
/// </summary>
internal static class ClassifyCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr)
    {
        if (a.Single("--model") is null)
            throw new UsageException("classify needs --model (the bundled ResNet-18 is a feature extractor without a classifier head)");
        var files = ImageJobReport.Files(a);
        int top = a.Int("--top", 5, 1, 100_000);
        bool json = a.Has("--json");
        using var pipeline = ImagePipeline.Create(a);
        bool endsInSoftmax = pipeline.Session.Graph.Nodes.LastOrDefault()?.OpType == "Softmax";
        var progress = new ProgressReporter(files.Count, stderr, ProgressReporter.TerminalAttached && !json);
        var results = pipeline.Run(files, progress);
        int classes = results.FirstOrDefault(r => r.Output is not null).Output?.Length ?? 0;
        string[] labels = LoadLabels(a.Single("--labels"), classes, pipeline.Labels, pipeline.ModelPath);

        var ranked = results.Where(r => r.Output is not null).Select(r =>
        {
            float[] p = endsInSoftmax ? r.Output! : Classification.Softmax(r.Output!);
            var best = Classification.Top(p, top).ToList();
            return (r.File, Best: best);
        }).ToList();

        if (json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("model", pipeline.ModelPath);
                w.WriteString("preset", pipeline.Preset.Name);
                w.WriteStartArray("images");
                foreach (var (file, best) in ranked)
                {
                    w.WriteStartObject();
                    w.WriteString("file", file);
                    w.WriteStartArray("top");
                    foreach (var (index, score) in best)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("class", index);
                        w.WriteString("label", labels[index]);
                        w.WriteNumber("probability", Math.Round(score, 6));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                JsonOutput.WriteErrors(w, results);
            });
        else
            foreach (var (file, best) in ranked)
            {
                stdout.WriteLine(file);
                foreach (var (index, score) in best) stdout.WriteLine($"  {score,7:P2}  {labels[index]} ({index})");
            }
        return ImageJobReport.Finish(results, stderr);
    }

    private static string[] LoadLabels(string? path, int classes, string[]? fromModel, string modelPath)
    {
        string[] labels;
        if (path is not null)
        {
            if (!File.Exists(path)) throw new UsageException($"labels file not found: {path}");
            labels = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
            if (labels.Length != classes) throw new UsageException($"{path} has {labels.Length} labels; the model outputs {classes} classes");
            return labels;
        }
        if (fromModel is not null)
        {
            // The model's own list (metadata_props, written by `cardinal fit`); --labels above still wins.
            if (fromModel.Length != classes && classes > 0)
                throw new UsageException($"{modelPath} states {fromModel.Length} labels in its metadata but outputs {classes} classes");
            return fromModel;
        }
        if (classes == ImageNetLabels.All.Count) return [.. ImageNetLabels.All];
        return Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray();
    }
}
