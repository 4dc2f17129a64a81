namespace Cardinal.Cli.Commands;

/// <summary>
/// cardinal similar QUERY DIR [--top K]: ranks DIR's images by cosine similarity of their embeddings to
/// QUERY's. DIR's embeddings are cached (see <see cref="EmbeddingCache"/>); --no-cache recomputes.
/// </summary>
internal static class SimilarCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr)
    {
        string query = a.Positionals[0], folder = a.Positionals[1];
        if (!File.Exists(query)) throw new UsageException($"query image not found: {query}");
        if (!Directory.Exists(folder)) throw new UsageException($"folder not found: {folder}");
        int top = a.Int("--top", 10, 1, 1_000_000);
        bool json = a.Has("--json");
        string queryFull = Path.GetFullPath(query);
        var candidates = Formats.Images.ImageFiles.Expand([folder]).Where(f => Path.GetFullPath(f) != queryFull).ToList();

        using var pipeline = ImagePipeline.Create(a);
        var cache = a.Has("--no-cache") ? null : new EmbeddingCache(pipeline.Fingerprint());
        var cached = candidates.ToDictionary(f => f, f => cache?.TryGet(f));
        var missing = candidates.Where(f => cached[f] is null).Prepend(query).ToList();
        var progress = new ProgressReporter(missing.Count, stderr, ProgressReporter.TerminalAttached && !json);
        var computed = pipeline.Run(missing, progress);

        ImageResult queryResult = computed[0];
        if (queryResult.Output is null) throw new UsageException(queryResult.Error!);
        foreach (var r in computed.Skip(1).Where(r => r.Output is not null))
        {
            cached[r.File] = r.Output;
            cache?.Put(r.File, r.Output!);
        }
        var ranked = cached.Where(p => p.Value is not null)
            .Select(p => (File: p.Key, Score: Cosine(queryResult.Output, p.Value!)))
            .OrderByDescending(p => p.Score).ThenBy(p => p.File, StringComparer.Ordinal).Take(top).ToList();

        if (json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("query", query);
                w.WriteString("model", pipeline.ModelPath);
                w.WriteStartArray("results");
                foreach (var (file, score) in ranked)
                {
                    w.WriteStartObject();
                    w.WriteString("file", file);
                    w.WriteNumber("cosine", Math.Round(score, 6));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                JsonOutput.WriteErrors(w, computed);
            });
        else
        {
            stdout.WriteLine($"most similar to {query} ({candidates.Count} candidates, {candidates.Count - (missing.Count - 1)} from cache):");
            for (int i = 0; i < ranked.Count; i++) stdout.WriteLine($"{i + 1,4}  {ranked[i].Score,8:F4}  {ranked[i].File}");
        }
        return ImageJobReport.Finish(computed, stderr);
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
