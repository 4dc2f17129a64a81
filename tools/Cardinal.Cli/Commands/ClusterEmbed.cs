using Cardinal.Cluster;
using Cardinal.Embedding;
using Cardinal.Formats.Vectors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cardinal.Cli.Commands;

/// <summary>
/// embed SRC… --out-dir DIR --cluster REDIS: the same job as a local streaming embed, submitted to the silos
/// that Redis (HOST:PORT) lists. The output folder and the images must be reachable at the same paths from every
/// silo. The result equals a local run's, byte for byte (the same shards, each written by one worker).
/// </summary>
internal static class ClusterEmbed
{
    public static int Execute(EmbedShardsOptions options, TextWriter stdout, TextWriter stderr)
    {
        var files = options.Files();
        string modelId = ImagePipeline.Fingerprint(options.Model);
        string outDir = Path.GetFullPath(options.OutDir);
        var manifest = ShardedEmbedJob.Prepare(outDir, modelId, files, options.ShardSize);
        var spec = new EmbedJobSpec
        {
            JobId = ClusterJobs.JobId(outDir, modelId, options.ShardSize, files), OutDir = outDir, Files = [.. files],
            ShardSize = options.ShardSize, Model = options.Model.Model is { } m and not "default" ? Path.GetFullPath(m) : "default",
            Preset = options.Model.Preset, ModelId = modelId,
        };
        var settings = new ClusterSettings { Redis = options.Cluster };
        using IHost client = ClusterHosting.BuildClient(settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        client.StartAsync().WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
        var progress = new ProgressReporter(manifest.ShardCount, stderr, ProgressReporter.TerminalAttached && !options.Json);
        JobStatus status = ClusterJobs.RunAsync(client.Services.GetRequiredService<IClusterClient>(), spec, s => progress.Report(s.Done)).GetAwaiter().GetResult();
        client.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();

        // The outcome, read back from the shards the workers wrote (their errors files list the failures).
        var errors = Enumerable.Range(0, manifest.ShardCount).SelectMany(i => EmbeddingShards.ReadErrors(outDir, i)).ToList();
        int dim = 0;
        for (int i = 0; i < manifest.ShardCount && dim == 0; i++) dim = EmbeddingShards.Read(EmbeddingShards.VectorsPath(outDir, i)).Vectors.Dims[1];
        var summary = new ShardJobSummary(status.Results.Count(r => r.Written), status.Results.Count(r => !r.Written),
            status.Results.Sum(r => r.Embedded), dim, errors);
        foreach (string retry in status.Retries) stderr.WriteLine($"cardinal: retried {retry}");
        return EmbedShardsCommand.Report(options, summary, files.Count, manifest.ShardCount, modelId, clock.Elapsed, stdout, stderr);
    }
}
