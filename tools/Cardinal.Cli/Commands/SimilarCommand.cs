using Cardinal.Formats.Vectors;
using Cardinal.Kernels.Cpu.Search;

namespace Cardinal.Cli.Commands;

/// <summary>similar QUERY DIR|INDEX [--top K] [--json] [--no-cache] [model options]</summary>
internal sealed record SimilarOptions(string Query, string Target, int Top, bool Json, bool NoCache, ImageModelOptions Model)
{
    public static SimilarOptions Parse(CliArguments a)
    {
        if (a.Positionals.Count != 2) throw new UsageException("similar takes QUERY and DIR (or an INDEX file)");
        return new(a.Positionals[0], a.Positionals[1], a.Int("--top", 10, 1, 1_000_000), a.Has("--json"), a.Has("--no-cache"), ImageModelOptions.Parse(a));
    }
}

/// <summary>
/// cardinal similar QUERY DIR|INDEX [--top K]: ranks DIR's images (or an index's vectors) by cosine similarity to
/// QUERY's embedding, by an exact search over normalised vectors (<see cref="ExactSearch"/>). DIR's
/// embeddings are cached as one index per folder (see <see cref="FolderIndexCache"/>); --no-cache recomputes.
/// </summary>
internal static class SimilarCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr) => Execute(SimilarOptions.Parse(a), stdout, stderr);

    public static int Execute(SimilarOptions options, TextWriter stdout, TextWriter stderr)
    {
        string query = options.Query, target = options.Target;
        if (!File.Exists(query)) throw new UsageException($"query image not found: {query}");
        if (File.Exists(target)) return AgainstIndex(options, stdout, stderr);
        if (!Directory.Exists(target)) throw new UsageException($"folder not found: {target}");
        string queryFull = Path.GetFullPath(query);
        var candidates = Formats.Images.ImageFiles.Expand([target]).Where(f => Path.GetFullPath(f) != queryFull).ToList();

        using var pipeline = ImagePipeline.Create(options.Model);
        var cache = options.NoCache ? null : new FolderIndexCache(pipeline.Fingerprint(), target);
        var cached = cache?.Load() ?? [];
        var keys = candidates.Select(FolderIndexCache.Key).ToList();
        var missing = candidates.Where((f, i) => !cached.ContainsKey(keys[i])).Prepend(query).ToList();
        var progress = new ProgressReporter(missing.Count, stderr, ProgressReporter.TerminalAttached && !options.Json);
        var computed = pipeline.Run(missing, progress);

        ImageResult queryResult = computed[0];
        if (queryResult.Output is null) throw new UsageException(queryResult.Error!);
        int dim = queryResult.Output.Length;
        var fresh = computed.Skip(1).Where(r => r.Output is not null).ToDictionary(r => r.File, r => r.Output!);
        // The folder's vectors in candidate order: cached rows are normalised already, fresh ones are normalised here.
        var files = new List<string>();
        var rowKeys = new List<string>();
        var rows = new List<float[]>();
        for (int i = 0; i < candidates.Count; i++)
        {
            float[]? v = cached.GetValueOrDefault(keys[i]);
            if (v is null && fresh.TryGetValue(candidates[i], out var raw))
            {
                v = new float[raw.Length];
                VectorIndexFile.Normalise(raw, v);
            }
            if (v is null || v.Length != dim) continue;
            files.Add(candidates[i]); rowKeys.Add(keys[i]); rows.Add(v);
        }
        if (cache is not null && (missing.Count > 1 || cached.Count != rows.Count) && rows.Count > 0) cache.Save(rowKeys, rows, dim);

        var ranked = Rank(rows, dim, queryResult.Output, options.Top, options.Model.Backend.Threads).Select(n => (File: files[(int)n.Index], n.Score)).ToList();
        if (options.Json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("query", query);
                w.WriteString("model", pipeline.ModelPath);
                WriteResults(w, ranked);
                JsonOutput.WriteErrors(w, computed);
            });
        else
        {
            stdout.WriteLine($"most similar to {query} ({candidates.Count} candidates, {candidates.Count - (missing.Count - 1)} from cache):");
            for (int i = 0; i < ranked.Count; i++) stdout.WriteLine($"{i + 1,4}  {ranked[i].Score,8:F4}  {ranked[i].File}");
        }
        return ImageJobReport.Finish(computed, stderr);
    }

    /// <summary>QUERY against a prebuilt index (index build): the index's model must be the query's.</summary>
    private static int AgainstIndex(SimilarOptions options, TextWriter stdout, TextWriter stderr)
    {
        using var index = VectorIndex.Open(options.Target);
        using var pipeline = ImagePipeline.Create(options.Model);
        var computed = pipeline.Run([options.Query], new ProgressReporter(1, stderr, false));
        if (computed[0].Output is null) throw new UsageException(computed[0].Error!);
        index.CheckCompatible(pipeline.Fingerprint(), computed[0].Output!.Length);
        string queryFull = Path.GetFullPath(options.Query);
        // One more than asked, so the query itself can be left out when the index holds it.
        var ranked = IndexCommand.Search(index, [computed[0].Output!], options.Top + 1, options.Model.Backend.Threads)[0]
            .Select(n => (File: index.Keys[(int)n.Index], n.Score)).Where(r => r.File != queryFull).Take(options.Top).ToList();
        if (options.Json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("query", options.Query);
                w.WriteString("model", pipeline.ModelPath);
                w.WriteString("index", options.Target);
                WriteResults(w, ranked);
                JsonOutput.WriteErrors(w, computed);
            });
        else
        {
            stdout.WriteLine($"most similar to {options.Query} ({index.Count} in {options.Target}):");
            for (int i = 0; i < ranked.Count; i++) stdout.WriteLine($"{i + 1,4}  {ranked[i].Score,8:F4}  {ranked[i].File}");
        }
        return Cli.Ok;
    }

    private static void WriteResults(System.Text.Json.Utf8JsonWriter w, IEnumerable<(string File, float Score)> ranked)
    {
        w.WriteStartArray("results");
        foreach (var (file, score) in ranked)
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteNumber("cosine", Math.Round(score, 6));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static Neighbour[] Rank(List<float[]> rows, int dim, float[] query, int top, int threads)
    {
        if (rows.Count == 0) return [];
        var matrix = new float[(long)rows.Count * dim];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(matrix, (long)i * dim);
        var q = new float[dim];
        VectorIndexFile.Normalise(query, q);
        using var parallel = new Kernels.Cpu.Threading.ParallelRunner(Math.Max(1, threads));
        return ExactSearch.TopK(matrix, dim, q, 1, top, parallel)[0];
    }
}
