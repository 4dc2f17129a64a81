using Microsoft.Extensions.Logging;

namespace Cardinal.Cluster;

/// <summary>
/// The job grain (see <see cref="IEmbedJobGrain"/>). Its state lives in the "jobs" grain storage (Redis across
/// processes), so when the silo hosting it dies, the next call activates it on another silo, which reads the
/// finished items and dispatches the rest again. Items are shards written atomically and deterministically,
/// so an item done twice (its first answer lost) is harmless: the second run finds the shard finished.
/// </summary>
public sealed class EmbedJobGrain(
    [PersistentState("spec", ClusterHosting.JobStorage)] IPersistentState<JobSpecState> specState,
    [PersistentState("progress", ClusterHosting.JobStorage)] IPersistentState<JobProgress> state,
    ILogger<EmbedJobGrain> log) : Grain, IEmbedJobGrain
{
    private Task? _running;
    private readonly SemaphoreSlim _saving = new(1, 1);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (specState.State.Spec is null || state.State.Finished) return;
        // An unfinished job in storage: the activation that ran it is gone (its silo died or stopped).
        state.State.Resumes++;
        await Save();
        Resume();
    }

    public async Task Start(EmbedJobSpec spec)
    {
        if (specState.State.Spec is { } existing)
        {
            if (existing.JobId != spec.JobId || existing.OutDir != spec.OutDir || existing.ModelId != spec.ModelId
                || existing.ShardSize != spec.ShardSize || !existing.Files.SequenceEqual(spec.Files))
                throw new InvalidOperationException($"job {spec.JobId} already exists with another spec");
            if (!state.State.Finished) Resume();
            return;
        }
        if (spec.ShardSize < 1 || spec.Files.Length == 0 || spec.MaxConcurrency < 1 || spec.MaxAttempts < 1)
            throw new ArgumentException("a job needs files, a shard size, a concurrency and attempts of at least 1");
        specState.State.Spec = spec;
        await specState.WriteStateAsync();
        Resume();
    }

    public Task<JobStatus> Status()
    {
        var s = state.State;
        return Task.FromResult(new JobStatus
        {
            Items = specState.State.Spec?.ItemCount ?? 0, Done = s.Done.Count, Finished = s.Finished, Error = s.Error,
            Results = s.Done.Values.OrderBy(r => r.Index).ToArray(), Retries = [.. s.Retries], Resumes = s.Resumes,
        });
    }

    private void Resume()
    {
        if (_running is { IsCompleted: false }) return;
        // Kept alive while it runs: an idle-looking activation (no incoming calls) must not be collected mid-job.
        DelayDeactivation(TimeSpan.FromDays(7));
        _running = RunAsync();
    }

    private async Task RunAsync()
    {
        var spec = specState.State.Spec!;
        var pending = Enumerable.Range(0, spec.ItemCount).Where(i => !state.State.Done.ContainsKey(i)).ToList();
        using var slots = new SemaphoreSlim(spec.MaxConcurrency);
        try
        {
            await Task.WhenAll(pending.Select(async i =>
            {
                await slots.WaitAsync();
                try { await RunItem(spec, i); }
                finally { slots.Release(); }
            }));
            state.State.Finished = true;
        }
        catch (Exception e)
        {
            state.State.Finished = true;
            state.State.Error = e.Message;
        }
        await Save();
        DelayDeactivation(TimeSpan.Zero);
    }

    private async Task RunItem(EmbedJobSpec spec, int index)
    {
        WorkItem item = spec.Item(index);
        for (int attempt = 1; ; attempt++)
        {
            // A fresh key per dispatch (and per resume), so a retry is a new activation, placed afresh.
            var worker = GrainFactory.GetGrain<IEmbedWorkerGrain>($"{spec.JobId}/{index}/{state.State.Resumes}.{attempt}");
            try
            {
                WorkItemResult result = await worker.Embed(item, attempt).WaitAsync(spec.ItemTimeout);
                state.State.Done[index] = result;
                await Save();
                return;
            }
            catch (Exception e) when (attempt < spec.MaxAttempts)
            {
                // A dead or stopping silo, a timeout, an unreadable model: dispatched again, to a new activation.
                string line = $"item {index} attempt {attempt}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
                log.LogWarning("{Line}", line);
                state.State.Retries.Add(line);
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt));
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"item {index} failed {attempt} times; last: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", e);
            }
        }
    }

    private async Task Save()
    {
        await _saving.WaitAsync();
        try { await state.WriteStateAsync(); }
        finally { _saving.Release(); }
    }
}
