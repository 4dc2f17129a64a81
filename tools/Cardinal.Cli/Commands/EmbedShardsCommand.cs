using System.Text;
using Cardinal.Embedding;
using Cardinal.Formats.Vectors;

namespace Cardinal.Cli.Commands;

/// <summary>The streaming embed's inputs, parsed from "embed SRC… --out-dir DIR [--shard-size N] [--recursive] [--files-from LIST]".</summary>
internal sealed record EmbedShardsOptions(IReadOnlyList<string> Sources, string? FilesFrom, bool Recursive, string OutDir, int ShardSize,
    ImageModelOptions Model, bool Json, string? Cluster)
{
    public const int DefaultShardSize = 1000;

    public static EmbedShardsOptions Parse(CliArguments a, ImageModelOptions model) => new(
        a.Positionals, a.Single("--files-from"), a.Has("--recursive"), a.Single("--out-dir")!,
        a.Int("--shard-size", DefaultShardSize, 1, ShardPlan.MaxShardSize), model, a.Has("--json"), a.Single("--cluster"));

    /// <summary>
    /// The job's file list: SRC files and folders (sorted; --recursive walks subfolders), then --files-from's
    /// lines ("-": stdin), every path made absolute so shards name files the same from any working folder or
    /// process.
    /// </summary>
    public List<string> Files(TextReader? stdin = null)
    {
        var files = Formats.Images.ImageFiles.Expand(Sources, Recursive);
        foreach (string s in Sources)
            if (!Directory.Exists(s) && !File.Exists(s)) throw new UsageException($"no such file or folder: {s}");
        if (FilesFrom is not null)
        {
            if (FilesFrom != "-" && !File.Exists(FilesFrom)) throw new UsageException($"--files-from: no such file: {FilesFrom}");
            using TextReader reader = FilesFrom == "-" ? (stdin ?? Console.In) : new StreamReader(FilesFrom, Encoding.UTF8);
            for (string? line; (line = reader.ReadLine()) is not null;)
                if (line.Length > 0) files.Add(line);
        }
        if (files.Count == 0) throw new UsageException("no images given (pass files, folders or --files-from LIST)");
        return files.Select(Path.GetFullPath).ToList();
    }
}

/// <summary>
/// cardinal embed SRC… --out-dir DIR: embeds into shards (part-00000.npy + .files.txt + .errors.txt, each written
/// under a temporary name and renamed), skipping the shards a previous run finished. See <see cref="ShardedEmbedJob"/>.
/// </summary>
internal static class EmbedShardsCommand
{
    public static int Execute(EmbedShardsOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (options.Cluster is not null) return ClusterEmbed.Execute(options, stdout, stderr);
        var files = options.Files();
        using var pipeline = ImagePipeline.Create(options.Model);
        string model = pipeline.Fingerprint();
        var manifest = ShardedEmbedJob.Prepare(options.OutDir, model, files, options.ShardSize);
        // A run killed mid-write left temporaries; this process owns the folder now (a cluster's workers never clean).
        AtomicFile.CleanTemporaries(options.OutDir, "");
        var shards = Enumerable.Range(0, manifest.ShardCount).Select(i => ShardPlan.Shard(files, options.ShardSize, i)).ToList();
        var progress = new ProgressReporter(files.Count, stderr, ProgressReporter.TerminalAttached && !options.Json);
        var summary = ShardedEmbedJob.Run(pipeline.Embedder, options.OutDir, shards, progress.Report);
        return Report(options, summary, files.Count, manifest.ShardCount, model, progress.Elapsed, stdout, stderr);
    }

    /// <summary>The job's outcome, as text or JSON; exit 4 when some images failed (listed).</summary>
    public static int Report(EmbedShardsOptions options, ShardJobSummary summary, int files, int shards, string model, TimeSpan elapsed,
        TextWriter stdout, TextWriter stderr)
    {
        double rate = summary.Embedded / Math.Max(elapsed.TotalSeconds, 1e-9);
        if (options.Json)
            JsonOutput.Write(stdout, w =>
            {
                w.WriteString("outDir", options.OutDir);
                w.WriteString("model", model);
                w.WriteNumber("dimension", summary.Dimension);
                w.WriteNumber("files", files);
                w.WriteNumber("shards", shards);
                w.WriteNumber("shardsWritten", summary.ShardsWritten);
                w.WriteNumber("shardsSkipped", summary.ShardsSkipped);
                w.WriteNumber("embedded", summary.Embedded);
                w.WriteNumber("imagesPerSecond", Math.Round(rate, 2));
                w.WriteStartArray("errors");
                foreach (var (file, error) in summary.Errors)
                {
                    w.WriteStartObject();
                    w.WriteString("file", file);
                    w.WriteString("error", error);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        else
        {
            stdout.WriteLine($"wrote {summary.ShardsWritten} shards to {options.OutDir} ({summary.ShardsSkipped} already finished, {shards} in all)");
            stderr.WriteLine($"cardinal: {summary.Embedded} images embedded in {elapsed.TotalSeconds:F2} s ({rate:F1} img/s)");
            foreach (var (_, error) in summary.Errors) stderr.WriteLine($"cardinal: skipped {error}");
        }
        if (summary.Errors.Count == 0) return Cli.Ok;
        stderr.WriteLine($"cardinal: {summary.Errors.Count} of {files} images failed");
        return Cli.SomeImagesFailed;
    }
}
