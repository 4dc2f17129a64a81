namespace Cardinal.Hosting;

/// <summary>
/// One named session's settings, configured through IOptions (<c>services.AddCardinalSession(name, o => ...)</c>, or
/// bound from configuration with <c>services.Configure&lt;CardinalSessionOptions&gt;(name, section)</c>). Mutable, as
/// IOptions needs; turned into the engine's <see cref="SessionOptions"/> when the session opens.
/// </summary>
public sealed class CardinalSessionOptions
{
    /// <summary>The .onnx file. Set this or <see cref="OpenModel"/>.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Opens the model as a stream (an embedded resource, a blob download); disposed after reading. Set this or <see cref="ModelPath"/>.</summary>
    public Func<IServiceProvider, Stream>? OpenModel { get; set; }

    /// <inheritdoc cref="SessionOptions.Device"/>
    public Device? Device { get; set; }

    /// <inheritdoc cref="SessionOptions.Threads"/>
    public int? Threads { get; set; }

    /// <summary>
    /// Sessions of this host that run on the CPU with the same thread count run on one pool of worker threads
    /// (<see cref="Kernels.Cpu.CpuThreadPool"/>) instead of a set each: two ResNet-50 sessions answering in turn on 2
    /// threads took 0.91× the time (p90 0.76×), and answering at once 1.23× the images per second (Engine.Bench
    /// `sessions`). A run that finds the pool busy with another session's loop runs that loop on its own caller's thread.
    /// Turn it off for sessions meant to run at once on cores of their own (two sessions of 8 threads on 16 cores).
    /// <see cref="Device.Auto"/> and GPU devices keep their own threads.
    /// </summary>
    public bool ShareThreads { get; set; } = true;

    /// <inheritdoc cref="SessionOptions.Fuse"/>
    public bool Fuse { get; set; } = true;

    /// <inheritdoc cref="SessionOptions.MaxModelBytes"/>
    public long MaxModelBytes { get; set; } = SessionOptions.DefaultMaxModelBytes;

    /// <summary>
    /// Open and warm the session when the host starts (in the background: the health check says "opening" until it is
    /// done), so the first request pays for neither. Off: opened by the first caller.
    /// </summary>
    public bool OpenAtStartup { get; set; } = true;

    /// <summary>The input shapes to warm (one per model input); null warms the declared shapes, symbolic dimensions as 1.</summary>
    public int[][]? WarmupShapes { get; set; }

    internal SessionOptions ToSessionOptions(string name) => new()
    {
        Name = name, Device = Device, Threads = Threads, Fuse = Fuse, MaxModelBytes = MaxModelBytes,
    };
}
