using System.Text;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>
/// cardinal embed IMAGES… | DIR [--model M] [--preset P] [--out emb.npy | --json] [--layer NAME[,NAME…]]
/// [--pool avg|none] [--normalize]: one embedding per image (the model's output, flattened). --out writes an
/// [N, D] .npy of the images that loaded, in order, and their names beside it (emb.files.txt); each --layer
/// value (from the same run) gets its own emb.&lt;layer&gt;.npy (see <see cref="EmbedLayers"/>). With --out-dir it
/// streams into resumable shards instead (<see cref="EmbedShardsCommand"/>).
/// </summary>
internal static class EmbedCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr)
    {
        // IMAGES may be left out only when --files-from gives the list.
        if (a.Positionals.Count == 0 && !a.Has("--files-from")) throw new UsageException("embed needs IMAGES (see 'cardinal embed --help')");
        if (a.Has("--out-dir"))
        {
            if (a.Has("--out")) throw new UsageException("--out and --out-dir are exclusive (one .npy, or a folder of shards)");
            if (a.Has("--layer")) throw new UsageException("--layer writes .npy files beside --out; shards (--out-dir) hold the model's output only");
            return EmbedShardsCommand.Execute(EmbedShardsOptions.Parse(a, ImageModelOptions.Parse(a)), stdout, stderr);
        }
        foreach (string shardOnly in (string[])["--shard-size", "--files-from", "--cluster", "--recursive"])
            if (a.Has(shardOnly)) throw new UsageException($"{shardOnly} needs --out-dir DIR");
        var files = ImageJobReport.Files(a);
        string? outPath = a.Single("--out");
        bool json = a.Has("--json"), normalize = a.Has("--normalize");
        var layers = EmbedLayers.Parse(a);
        var pooling = EmbedLayers.Pooling(a);
        if (a.Has("--pool") && layers.Count == 0) throw new UsageException("--pool applies to --layer values; name them with --layer");
        using var pipeline = ImagePipeline.Create(ImageModelOptions.Parse(a) with { Layers = layers });
        var progress = new ProgressReporter(files.Count, stderr, ProgressReporter.TerminalAttached && !json);
        var results = pipeline.Run(files, progress);
        var good = results.Where(r => r.Output is not null).ToList();
        if (normalize) foreach (var g in good) EmbedLayers.Normalize(g.Output!);
        int dim = good.Count > 0 ? good[0].Output!.Length : 0;
        // One embedding set per --layer, pooled and normalised as asked.
        var sets = layers.Select((layer, l) => (Layer: layer, Rows: good.Select(g => EmbedLayers.Vector(g.Layers![l], pipeline.LayerDims[l], pooling, normalize)).ToList())).ToList();

        if (outPath is not null && good.Count > 0)
        {
            var matrix = Tensor.Create(ElementType.Float32, [good.Count, dim]);
            for (int i = 0; i < good.Count; i++) good[i].Output!.CopyTo(matrix.Floats.Slice(i * dim, dim));
            NpyFile.Write(outPath, matrix);
            string list = Path.ChangeExtension(outPath, ".files.txt");
            File.WriteAllText(list, string.Join('\n', good.Select(g => g.File)) + "\n", Encoding.UTF8);
            if (!json) stdout.WriteLine($"wrote {outPath} ({good.Count}×{dim}) and {list}");
            foreach (var (layer, rows) in sets)
            {
                string path = EmbedLayers.PathFor(outPath, layer);
                EmbedLayers.WriteNpy(path, rows);
                if (!json) stdout.WriteLine($"wrote {path} ({rows.Count}×{rows[0].Length}) for {layer}");
            }
        }
        if (json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("model", pipeline.ModelPath);
                w.WriteString("preset", pipeline.Preset.Name);
                w.WriteNumber("dimension", dim);
                w.WriteNumber("imagesPerSecond", Math.Round(progress.ImagesPerSecond(results.Count), 2));
                w.WriteStartArray("embeddings");
                foreach (var g in good)
                {
                    w.WriteStartObject();
                    w.WriteString("file", g.File);
                    JsonOutput.WriteVector(w, "embedding", g.Output);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (sets.Count > 0)
                {
                    w.WriteString("pool", pooling == LayerPooling.Avg ? "avg" : "none");
                    w.WriteStartArray("layers");
                    foreach (var (layer, rows) in sets)
                    {
                        w.WriteStartObject();
                        w.WriteString("layer", layer);
                        w.WriteNumber("dimension", rows.Count > 0 ? rows[0].Length : 0);
                        w.WriteStartArray("embeddings");
                        for (int i = 0; i < rows.Count; i++)
                        {
                            w.WriteStartObject();
                            w.WriteString("file", good[i].File);
                            JsonOutput.WriteVector(w, "embedding", rows[i]);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                JsonOutput.WriteErrors(w, results);
            });
        else if (outPath is null)
            foreach (var g in good)
            {
                double norm = Math.Sqrt(g.Output!.Sum(v => (double)v * v));
                stdout.WriteLine($"{g.File}\tdim {dim}\tnorm {norm:F3}\t[{string.Join(" ", g.Output!.Take(4).Select(v => v.ToString("G4")))} …]");
            }
        if (!json && outPath is null)
            foreach (var (layer, rows) in sets)
                stdout.WriteLine($"layer {layer}\tdim {(rows.Count > 0 ? rows[0].Length : 0)} per image ({(pooling == LayerPooling.Avg ? "average-pooled" : "flattened")}{(normalize ? ", unit length" : "")}); --out writes them");
        if (!json) stderr.WriteLine($"cardinal: {good.Count} images embedded in {progress.Elapsed.TotalSeconds:F2} s ({progress.ImagesPerSecond(results.Count):F1} img/s) with {pipeline.Preset.Name}");
        return ImageJobReport.Finish(results, stderr);
    }
}
