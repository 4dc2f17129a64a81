using Microsoft.Extensions.Hosting;
using Orleans.Placement;

namespace Cardinal.Cluster;

/// <summary>
/// Runs one work item on its silo's <see cref="IShardEmbedder"/>, off the grain scheduler (a long CPU-bound job
/// must not hold a scheduler thread). Placed on the silo with the fewest activations, so items spread out.
/// </summary>
[ActivationCountBasedPlacement]
public sealed class EmbedWorkerGrain(IShardEmbedder embedder, IHostApplicationLifetime lifetime, ILocalSiloDetails silo) : Grain, IEmbedWorkerGrain
{
    public async Task<WorkItemResult> Embed(WorkItem item, int attempt)
    {
        // The silo stopping cancels the item: its partial shard is never renamed, and the job dispatches it again.
        var (written, embedded, failed) = await Task.Run(() => embedder.EmbedShard(item, lifetime.ApplicationStopping), lifetime.ApplicationStopping);
        DeactivateOnIdle();   // one item per activation
        return new WorkItemResult { Index = item.Index, Written = written, Embedded = embedded, Failed = failed, Silo = silo.SiloAddress.ToString(), Attempt = attempt };
    }
}
