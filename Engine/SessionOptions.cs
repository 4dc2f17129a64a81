namespace Cardinal;

/// <summary>
/// Everything a session is opened with, in one object: where it runs (<see cref="Device"/>, <see cref="Threads"/>),
/// what the session itself does (<see cref="Fuse"/>, <see cref="Name"/>) and how much of a model stream it may
/// buffer (<see cref="MaxModelBytes"/>).
/// </summary>
/// <remarks>
/// <see cref="Device"/> and <see cref="Threads"/> choose the backend, so they are read where the backend is made:
/// <c>CardinalSession.Open</c> (Cardinal.Formats) and the hosting package. <see cref="InferenceSession.Open"/>
/// takes a backend that is already made and refuses options that set them, so no setting here goes unread.
/// </remarks>
public sealed record SessionOptions
{
    /// <summary>Run the graph fusion passes (BatchNorm folding, residual Add and ReLU into the convolution). On by default.</summary>
    public bool Fuse { get; init; } = true;
    /// <summary>The model's name in metrics and traces ("cardinal.model"); the graph's name when not set.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Where to run; null is <see cref="Cardinal.Device.Cpu"/>. The GPU kinds need the Cardinal.Kernels.Gpu package,
    /// registered once with <c>CardinalGpu.Register()</c> (<see cref="DeviceBackends"/>); <see cref="Cardinal.Device.Auto"/>
    /// tries CUDA, then OpenCL, when it is registered, else runs on the CPU.
    /// </summary>
    public Device? Device { get; init; }

    /// <summary>Threads of the CPU kernels (at least 1); null is the processor count. A GPU device folds constants on one thread whatever this says.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Run on the process's shared worker threads for this thread count (<c>CpuThreadPool.Shared</c>) instead of threads of
    /// the session's own: sessions of several models in one process then no longer take cores from each other (each
    /// backend's own workers spin ~1.5 ms after every loop; two ResNet-50 sessions answering in turn on 2 threads took
    /// 0.91× the time, at once 1.23× the images per second). A run whose loop finds the pool busy with another session's
    /// runs that loop on its caller's thread. CPU backends only (and the CPU that <see cref="Cardinal.Device.Auto"/> falls
    /// back to); off by default. Leave it off for sessions meant to run at once on cores of their own.
    /// </summary>
    public bool ShareThreads { get; init; }

    /// <summary>
    /// The largest model read from a stream that cannot seek, which is buffered whole before it is parsed (a seekable
    /// stream or a file is read field by field instead). Default: 2 GiB, the limit of a single-file ONNX model.
    /// </summary>
    public long MaxModelBytes { get; init; } = DefaultMaxModelBytes;

    /// <summary>The default <see cref="MaxModelBytes"/>: the largest managed byte array, about 2 GiB.</summary>
    public const long DefaultMaxModelBytes = 0x7FFFFFC7; // Array.MaxLength

    /// <summary>True when <see cref="Device"/>, <see cref="Threads"/> or <see cref="ShareThreads"/> is set: settings that choose a backend.</summary>
    internal bool ChoosesBackend => Device is not null || Threads is not null || ShareThreads;

    /// <summary>
    /// Values of the graph to return besides its declared outputs, by name: any node's output (a ResNet's
    /// layer1…layer4 for a feature pyramid), input or initializer. They follow the declared outputs in
    /// <c>Outputs</c> and in <c>Run</c>'s dictionary. They become graph outputs before any pass runs, so fusion and
    /// layout passes keep them materialised (a fused-away value is simply not fused). An unknown name throws
    /// <see cref="UnknownValueException"/> listing near matches.
    /// </summary>
    public IReadOnlyList<string> ExtraOutputs { get; init; } = [];
}
