namespace Cardinal.Serving;

/// <summary>How <see cref="InferenceBatcher"/> coalesces single-sample requests.</summary>
public sealed record BatchingOptions
{
    /// <summary>Most samples in one run. Batches are run at power-of-two sizes up to this (padded), so a
    /// session keeps at most a handful of plans.</summary>
    public int MaxBatch { get; init; } = 8;

    /// <summary>How long the first request of a batch waits for company. Zero runs whatever is queued at once.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Requests waiting at most; one more is refused with <see cref="QueueFullException"/>, so memory stays bounded under overload.</summary>
    public int QueueCapacity { get; init; } = 64;
}
