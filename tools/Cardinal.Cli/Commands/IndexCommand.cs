using Cardinal.Formats.Npy;
using Cardinal.Formats.Vectors;
using Cardinal.Kernels.Cpu.Search;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>index build PARTS… --out INDEX [--model-id ID]</summary>
internal sealed record IndexBuildOptions(IReadOnlyList<string> Parts, string Out, string? ModelId)
{
    public static IndexBuildOptions Parse(CliArguments a)
    {
        if (a.Positionals.Count == 0) throw new UsageException("index build takes PARTS… (shard folders or .npy files with their .files.txt)");
        return new(a.Positionals, a.Single("--out") ?? throw new UsageException("index build needs --out INDEX"), a.Single("--model-id"));
    }
}

/// <summary>index query INDEX (IMAGE… | --vectors Q.npy) [--top K] [--json] [model options]</summary>
internal sealed record IndexQueryOptions(string Index, IReadOnlyList<string> Images, string? Vectors, int Top, bool Json, ImageModelOptions Model)
{
    public static IndexQueryOptions Parse(CliArguments a)
    {
        if (a.Positionals.Count < 1) throw new UsageException("index query takes INDEX and IMAGE… (or --vectors Q.npy)");
        var images = a.Positionals.Skip(1).ToList();
        string? vectors = a.Single("--vectors");
        if ((images.Count == 0) == (vectors is null)) throw new UsageException("index query takes either IMAGE… or --vectors Q.npy");
        return new(a.Positionals[0], images, vectors, a.Int("--top", 10, 1, 100_000), a.Has("--json"), ImageModelOptions.Parse(a));
    }
}

/// <summary>index dups INDEX [--threshold 0.95] [--json] [--threads N]</summary>
internal sealed record IndexDupsOptions(string Index, double Threshold, bool Json, int Threads)
{
    public static IndexDupsOptions Parse(CliArguments a)
    {
        if (a.Positionals.Count != 1) throw new UsageException("index dups takes INDEX");
        double t = a.Double("--threshold", 0.95);
        if (t > 1) throw new UsageException($"option '--threshold' must be a cosine from 0 to 1, got {t}");
        return new(a.Positionals[0], t, a.Has("--json"), ModelFiles.Threads(a));
    }
}

/// <summary>
/// cardinal index build|query|dups: each verb parsed into its options record by a small function, its work in
/// Build/Query/Dups(options, stdout, stderr) — a vector index file (<see cref="VectorIndexFile"/>) from embed shards, exact
/// top-k queries by the engine's SGEMM (<see cref="ExactSearch"/>), and near-duplicate groups.
/// </summary>
internal static class IndexCommand
{
    // Bound in Verbs/IndexVerb (index build|query|dups as System.CommandLine subcommands).
    public static int RunBuild(CliArguments a, TextWriter stdout, TextWriter stderr) => Build(IndexBuildOptions.Parse(a), stdout, stderr);
    public static int RunQuery(CliArguments a, TextWriter stdout, TextWriter stderr) => Query(IndexQueryOptions.Parse(a), stdout, stderr);
    public static int RunDups(CliArguments a, TextWriter stdout, TextWriter stderr) => Dups(IndexDupsOptions.Parse(a), stdout, stderr);

    public static int Build(IndexBuildOptions options, TextWriter stdout, TextWriter stderr)
    {
        var parts = EmbeddingShards.Expand(options.Parts);
        string model = ModelOf(parts, options.ModelId);
        // Pass 1: every part's keys and shape, checked (one part in memory at a time); pass 2 streams the vectors.
        var keys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int dim = 0;
        var used = new List<string>();
        foreach (string part in parts)
        {
            var (vectors, names) = EmbeddingShards.Read(part);
            if (names.Length == 0) continue;   // a shard whose every image failed
            if (dim != 0 && vectors.Dims[1] != dim) throw new VectorFormatException($"{part}: {vectors.Dims[1]}-d vectors where earlier parts have {dim}-d.");
            dim = vectors.Dims[1];
            foreach (string k in names)
                if (!seen.Add(k)) throw new VectorFormatException($"{part}: '{k}' appears in two parts.");
            keys.AddRange(names);
            used.Add(part);
        }
        if (keys.Count == 0) throw new VectorFormatException("the parts hold no vectors.");
        VectorIndexFile.Write(options.Out, model, dim, keys, used.Select(p => Rows(EmbeddingShards.Read(p).Vectors)));
        stdout.WriteLine($"wrote {options.Out}: {keys.Count} vectors of {dim} floats from {used.Count} parts, model {model}");
        return Cli.Ok;
    }

    /// <summary>A [rows, D] float32 tensor's data, without a copy.</summary>
    private static ReadOnlyMemory<float> Rows(Tensor t) => ((float[])t.Data).AsMemory(t.Offset, t.Length);

    /// <summary>The model identity the parts' folders record (embed.json), or --model-id; they must agree.</summary>
    private static string ModelOf(IReadOnlyList<string> parts, string? given)
    {
        var recorded = parts.Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct()
            .Select(ShardManifest.TryRead).Where(m => m is not null).Select(m => m!.Model).Distinct().ToList();
        if (recorded.Count > 1) throw new VectorFormatException($"the parts come from different models ({string.Join(", ", recorded)}).");
        if (recorded.Count == 1 && given is not null && given != recorded[0])
            throw new VectorFormatException($"--model-id {given} contradicts the parts' embed.json (model {recorded[0]}).");
        return recorded.Count == 1 ? recorded[0]
            : given ?? throw new UsageException("the parts have no embed.json naming their model; give --model-id (the id `embed --out-dir` records)");
    }

    public static int Query(IndexQueryOptions options, TextWriter stdout, TextWriter stderr)
    {
        using var index = VectorIndex.Open(options.Index);
        List<ImageResult> results;
        string model;
        if (options.Vectors is not null)
        {
            Tensor q = NpyFile.Read(options.Vectors);
            if (q.ElementType != ElementType.Float32 || q.Rank != 2) throw new UsageException($"{options.Vectors}: expected a [Q, D] float32 array");
            index.CheckCompatible(index.Model, q.Dims[1]);
            model = index.Model;
            int d = q.Dims[1];
            results = Enumerable.Range(0, q.Dims[0]).Select(i => new ImageResult($"{options.Vectors}[{i}]", q.Floats.Slice(i * d, d).ToArray(), null)).ToList();
        }
        else
        {
            using var pipeline = ImagePipeline.Create(options.Model);
            model = pipeline.Fingerprint();
            var progress = new ProgressReporter(options.Images.Count, stderr, ProgressReporter.TerminalAttached && !options.Json);
            results = pipeline.Run(ImageJobReport.Files(options.Images), progress);
            foreach (var r in results.Where(r => r.Output is not null)) index.CheckCompatible(model, r.Output!.Length);
        }
        var good = results.Where(r => r.Output is not null).ToList();
        var answers = good.Count == 0 ? [] : Search(index, good.Select(r => r.Output!).ToList(), options.Top, options.Model.Backend.Threads);
        if (options.Json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("index", options.Index);
                w.WriteString("model", model);
                w.WriteStartArray("queries");
                for (int q = 0; q < good.Count; q++)
                {
                    w.WriteStartObject();
                    w.WriteString("query", good[q].File);
                    WriteNeighbours(w, index, answers[q]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                JsonOutput.WriteErrors(w, results);
            });
        else
            for (int q = 0; q < good.Count; q++)
            {
                stdout.WriteLine($"nearest to {good[q].File} ({index.Count} in {options.Index}):");
                for (int i = 0; i < answers[q].Length; i++) stdout.WriteLine($"{i + 1,4}  {answers[q][i].Score,8:F4}  {index.Keys[(int)answers[q][i].Index]}");
            }
        return ImageJobReport.Finish(results, stderr);
    }

    public static void WriteNeighbours(System.Text.Json.Utf8JsonWriter w, VectorIndex index, Neighbour[] neighbours)
    {
        w.WriteStartArray("results");
        foreach (var n in neighbours)
        {
            w.WriteStartObject();
            w.WriteString("file", index.Keys[(int)n.Index]);
            w.WriteNumber("cosine", Math.Round(n.Score, 6));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>Normalises the queries and runs one batched exact search over the index.</summary>
    public static unsafe Neighbour[][] Search(VectorIndex index, IReadOnlyList<float[]> queries, int top, int threads)
    {
        int d = index.Dimension;
        var batch = new float[queries.Count * d];
        for (int q = 0; q < queries.Count; q++)
        {
            if (queries[q].Length != d) throw new VectorFormatException($"{index.Path}: the index holds {d}-d vectors; a query has {queries[q].Length}.");
            if (queries[q].Any(v => !float.IsFinite(v))) throw new UsageException("a query vector holds NaN or infinity");
            VectorIndexFile.Normalise(queries[q], batch.AsSpan(q * d, d));
        }
        using var parallel = new ParallelRunner(Math.Max(1, threads));
        return ExactSearch.TopK(index.Vectors, index.Count, d, batch, queries.Count, top, parallel);
    }

    public static unsafe int Dups(IndexDupsOptions options, TextWriter stdout, TextWriter stderr)
    {
        using var index = VectorIndex.Open(options.Index);
        List<List<long>> groups;
        using (var parallel = new ParallelRunner(options.Threads))
            groups = NearDuplicates.Find(index.Vectors, index.Count, index.Dimension, (float)options.Threshold, parallel);
        if (options.Json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("index", options.Index);
                w.WriteNumber("threshold", options.Threshold);
                w.WriteStartArray("groups");
                foreach (var g in groups)
                {
                    w.WriteStartObject();
                    w.WriteStartArray("files");
                    foreach (long i in g) w.WriteStringValue(index.Keys[(int)i]);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        else
        {
            stdout.WriteLine($"{groups.Count} groups of near-duplicates (cosine ≥ {options.Threshold}) among {index.Count} vectors");
            for (int g = 0; g < groups.Count; g++)
            {
                stdout.WriteLine($"group {g + 1} ({groups[g].Count}):");
                foreach (long i in groups[g]) stdout.WriteLine($"  {index.Keys[(int)i]}");
            }
        }
        return Cli.Ok;
    }
}
