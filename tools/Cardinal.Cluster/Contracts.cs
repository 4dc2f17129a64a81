using Orleans.Concurrency;

namespace Cardinal.Cluster;

/// <summary>
/// One embedding job as the cluster sees it: the whole file list (absolute paths on a folder every silo can
/// read), cut into work items of <see cref="ShardSize"/> images, each written as shard part-NNNNN by whichever
/// silo runs it into <see cref="OutDir"/> (a folder every silo can write: one disk, NFS, a shared volume).
/// </summary>
[GenerateSerializer, Alias("cardinal.EmbedJobSpec")]
public sealed record EmbedJobSpec
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required string OutDir { get; init; }
    [Id(2)] public required string[] Files { get; init; }
    [Id(3)] public required int ShardSize { get; init; }
    /// <summary>Model file path as every silo sees it ("default": the bundled model), and the preprocessing preset (null: the model's default).</summary>
    [Id(4)] public required string Model { get; init; }
    [Id(5)] public string? Preset { get; init; }
    /// <summary>The model identity the client computed (file hash + preset): a silo whose model differs refuses the item.</summary>
    [Id(6)] public required string ModelId { get; init; }
    /// <summary>Work items in flight at once across the cluster.</summary>
    [Id(7)] public int MaxConcurrency { get; init; } = 4;
    /// <summary>An item not answered within this time is dispatched again (to another activation, likely another silo).</summary>
    [Id(8)] public TimeSpan ItemTimeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Dispatches of one item before the job gives up on it.</summary>
    [Id(9)] public int MaxAttempts { get; init; } = 5;

    public int ItemCount => (Files.Length + ShardSize - 1) / ShardSize;

    public WorkItem Item(int index) => new()
    {
        JobId = JobId, Index = index, OutDir = OutDir, Model = Model, Preset = Preset, ModelId = ModelId,
        Files = Files.Skip(index * ShardSize).Take(ShardSize).ToArray(),
    };
}

/// <summary>One shard's worth of images for one worker.</summary>
[GenerateSerializer, Alias("cardinal.WorkItem")]
public sealed record WorkItem
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required int Index { get; init; }
    [Id(2)] public required string OutDir { get; init; }
    [Id(3)] public required string[] Files { get; init; }
    [Id(4)] public required string Model { get; init; }
    [Id(5)] public string? Preset { get; init; }
    [Id(6)] public required string ModelId { get; init; }
}

/// <summary>What a worker did with an item: wrote its shard, or found it already written (a re-dispatch after a lost answer).</summary>
[GenerateSerializer, Alias("cardinal.WorkItemResult")]
public sealed record WorkItemResult
{
    [Id(0)] public required int Index { get; init; }
    [Id(1)] public required bool Written { get; init; }
    [Id(2)] public required long Embedded { get; init; }
    [Id(3)] public required int Failed { get; init; }
    [Id(4)] public required string Silo { get; init; }
    [Id(5)] public required int Attempt { get; init; }
}

[GenerateSerializer, Alias("cardinal.JobStatus")]
public sealed record JobStatus
{
    [Id(0)] public required int Items { get; init; }
    [Id(1)] public required int Done { get; init; }
    [Id(2)] public required bool Finished { get; init; }
    [Id(3)] public string? Error { get; init; }
    /// <summary>Every finished item's result, by index.</summary>
    [Id(4)] public required WorkItemResult[] Results { get; init; }
    /// <summary>Dispatches that failed or timed out (and were retried).</summary>
    [Id(5)] public required string[] Retries { get; init; }
    /// <summary>Times the job was picked up again by a new activation (its silo died or stopped mid-job).</summary>
    [Id(6)] public required int Resumes { get; init; }
}

/// <summary>The job's spec, persisted once (it holds the whole file list: never rewritten per item).</summary>
[GenerateSerializer, Alias("cardinal.JobSpecState")]
public sealed class JobSpecState
{
    [Id(0)] public EmbedJobSpec? Spec { get; set; }
}

/// <summary>The job's progress, persisted after every finished item: the items done, retries, and how it ended.</summary>
[GenerateSerializer, Alias("cardinal.JobProgress")]
public sealed class JobProgress
{
    [Id(0)] public Dictionary<int, WorkItemResult> Done { get; set; } = [];
    [Id(1)] public bool Finished { get; set; }
    [Id(2)] public string? Error { get; set; }
    [Id(3)] public List<string> Retries { get; set; } = [];
    [Id(4)] public int Resumes { get; set; }
}

/// <summary>
/// A job: cuts the list into items, dispatches them to workers with bounded concurrency, records finished ones
/// in persisted grain state, and dispatches failed or timed-out ones again. Keyed by job id.
/// </summary>
[Alias("cardinal.IEmbedJobGrain")]
public interface IEmbedJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job (idempotent: the same spec again attaches to it; another spec under the same id is refused).</summary>
    [Alias("Start")] Task Start(EmbedJobSpec spec);

    [AlwaysInterleave, Alias("Status")] Task<JobStatus> Status();
}

/// <summary>Runs one work item on the silo it is placed on. Keyed "job/item/attempt", so a retry is a new activation, placed afresh.</summary>
[Alias("cardinal.IEmbedWorkerGrain")]
public interface IEmbedWorkerGrain : IGrainWithStringKey
{
    [Alias("Embed")] Task<WorkItemResult> Embed(WorkItem item, int attempt);
}

/// <summary>
/// The silo's embedding engine, provided by the host (the CLI opens the model): one per process, using all its
/// cores, so it runs one item at a time. Must write the item's shard atomically (temp + rename).
/// </summary>
public interface IShardEmbedder
{
    /// <summary>Embeds the item into its shard (skipping it when already finished); returns (written, embedded, failed).</summary>
    (bool Written, long Embedded, int Failed) EmbedShard(WorkItem item, CancellationToken cancellation);
}
