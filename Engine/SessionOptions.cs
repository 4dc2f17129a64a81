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
    /// <summary>
    /// Values of the graph to return besides its declared outputs, by name: any node's output (a ResNet's
    /// layer1…layer4 for a feature pyramid), input or initializer. They follow the declared outputs in
    /// <c>Outputs</c> and in <c>Run</c>'s dictionary. They become graph outputs before any pass runs, so fusion and
    /// layout passes keep them materialised (a fused-away value is simply not fused). An unknown name throws
    /// <see cref="UnknownValueException"/> listing near matches.
    /// </summary>
    public IReadOnlyList<string> ExtraOutputs { get; init; } = [];
}
