using Cardinal.Cluster;
using Cardinal.Embedding;

namespace Cardinal.Cli.Commands;

/// <summary>
/// A silo's <see cref="IShardEmbedder"/>: one session per process on all its cores (opened on the first item,
/// kept for the next ones of the same model), one item at a time. An item whose model identity differs from
/// this silo's model file is refused, so a cluster never mixes two models' vectors.
/// </summary>
internal sealed class CliShardEmbedder(ImageModelOptions defaults) : IShardEmbedder, IDisposable
{
    private readonly object _gate = new();
    private ImagePipeline? _pipeline;
    private (string? Model, string? Preset) _opened;

    public (bool Written, long Embedded, int Failed) EmbedShard(WorkItem item, CancellationToken cancellation)
    {
        lock (_gate)
        {
            cancellation.ThrowIfCancellationRequested();
            string? model = item.Model == "default" ? null : item.Model;
            if (_pipeline is null || _opened != (model, item.Preset))
            {
                _pipeline?.Dispose();
                _pipeline = null;
                _pipeline = ImagePipeline.Create(defaults with { Model = model, Preset = item.Preset });
                _opened = (model, item.Preset);
            }
            string id = _pipeline.Fingerprint();
            if (id != item.ModelId) throw new CardinalException($"this silo's model is {id}; the job's is {item.ModelId} (the same model file must be on every silo)");
            var summary = ShardedEmbedJob.Run(_pipeline.Embedder, item.OutDir, [new ShardWork(item.Index, item.Files)], cancellation: cancellation);
            return (summary.ShardsWritten == 1, summary.Embedded, summary.Errors.Count);
        }
    }

    public void Dispose()
    {
        lock (_gate) _pipeline?.Dispose();
    }
}
