namespace Cardinal.Embedding;

/// <summary>One shard of a job: its number and its files (a contiguous run of the job's file list).</summary>
public sealed record ShardWork(int Index, IReadOnlyList<string> Files);

/// <summary>
/// How a file list is cut into shards: shard i holds files [i·size, (i+1)·size). The cut depends only on the
/// list and the size, so a rerun, or a cluster's work items, produce the same shards as one run.
/// </summary>
public static class ShardPlan
{
    public const int MaxShardSize = 1_000_000;

    public static int Count(int files, int shardSize) => (files + shardSize - 1) / shardSize;

    public static ShardWork Shard(IReadOnlyList<string> files, int shardSize, int index)
    {
        int start = checked(index * shardSize);
        if (index < 0 || start >= files.Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The job has {Count(files.Count, shardSize)} shards.");
        return new ShardWork(index, files.Skip(start).Take(Math.Min(shardSize, files.Count - start)).ToArray());
    }
}
