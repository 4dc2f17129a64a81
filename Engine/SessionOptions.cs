namespace Cardinal;

/// <summary>
/// What the session itself does. Where it runs and on how many threads is the backend's: the backend passed to
/// <c>InferenceSession.Open</c> (e.g. <c>CpuBackendOptions.Threads</c>,
/// or the CLI's <c>BackendChoice</c>), so no thread count here can go unread.
/// </summary>
public sealed record SessionOptions
{
    /// <summary>Run the graph fusion passes (BatchNorm folding, residual Add and ReLU into the convolution). On by default.</summary>
    public bool Fuse { get; init; } = true;
    /// <summary>The model's name in metrics and traces ("cardinal.model"); the graph's name when not set.</summary>
    public string? Name { get; init; }
}
