using System.Security.Cryptography;
using System.Text;

namespace Cardinal.Cluster;

/// <summary>Submitting a job to a cluster and following it to its end.</summary>
public static class ClusterJobs
{
    /// <summary>
    /// A job id that names the job by what it does (output folder, model, shard size, file list), so submitting
    /// the same job again — after the client died, say — attaches to it instead of starting another.
    /// </summary>
    public static string JobId(string outDir, string modelId, int shardSize, IReadOnlyList<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFullPath(outDir)}\n{modelId}\n{shardSize}\n"));
        foreach (string f in files) { hash.AppendData(Encoding.UTF8.GetBytes(f)); hash.AppendData("\n"u8); }
        return Convert.ToHexString(hash.GetHashAndReset())[..24].ToLowerInvariant();
    }

    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Starts (or attaches to) the job and polls it until it finishes; throws when it failed.</summary>
    public static async Task<JobStatus> RunAsync(IGrainFactory grains, EmbedJobSpec spec, Action<JobStatus>? progress = null,
        TimeSpan? poll = null, CancellationToken cancellation = default)
    {
        var job = grains.GetGrain<IEmbedJobGrain>(spec.JobId);
        // Starting is quick (one state write); a silo that cannot reach its storage should fail it, not hang it.
        await job.Start(spec).WaitAsync(TimeSpan.FromMinutes(2), cancellation);
        while (true)
        {
            JobStatus status;
            // Status answers at once; one that does not was sent to a silo that died with the message (calls wait
            // up to the 2-hour response timeout items need), so it is abandoned and asked again.
            try { status = await job.Status().WaitAsync(StatusTimeout, cancellation); }
            catch (Exception) when (!cancellation.IsCancellationRequested)
            {
                // The silo hosting the job died: the next call activates it elsewhere from its stored state.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
                continue;
            }
            progress?.Invoke(status);
            if (status.Finished)
            {
                if (status.Error is not null) throw new CardinalException($"the cluster job failed: {status.Error}");
                return status;
            }
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(300), cancellation);
        }
    }
}
