using Orleans.Serialization;
using Orleans.Storage;

namespace Cardinal.Cluster;

/// <summary>
/// Grain storage shared by every silo of one process (localhost clustering): the state outlives the silo that
/// wrote it, as Redis storage does across processes, so a job whose silo is stopped resumes on another one.
/// Orleans' own memory storage keeps state in grains spread over the silos, which a stopped silo takes with it.
/// States are deep-copied in and out (Orleans' copier), and writes check the ETag like a real store.
/// </summary>
public sealed class InProcessGrainStorage(DeepCopier copier) : IGrainStorage
{
    private static readonly Dictionary<(string, GrainId), (object State, string ETag)> Store = [];

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (Store)
            if (Store.TryGetValue((stateName, grainId), out var entry))
            {
                grainState.State = copier.Copy((T)entry.State);
                grainState.ETag = entry.ETag;
                grainState.RecordExists = true;
            }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (Store)
        {
            if (Store.TryGetValue((stateName, grainId), out var entry) && entry.ETag != grainState.ETag)
                throw new InconsistentStateException($"{stateName} of {grainId} was written by another activation", entry.ETag, grainState.ETag ?? "");
            string etag = Guid.NewGuid().ToString("N");
            Store[(stateName, grainId)] = (copier.Copy(grainState.State)!, etag);
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (Store) Store.Remove((stateName, grainId));
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
