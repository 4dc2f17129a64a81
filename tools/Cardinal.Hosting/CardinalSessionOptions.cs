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
    /// <see cref="SessionOptions.ShareThreads"/>, on by default here: the CPU sessions of a host (and of its process) with
    /// the same thread count run on one pool of worker threads instead of a set each. Turn it off for sessions meant to
    /// run at once on cores of their own (two sessions of 8 threads on 16 cores).
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
        Name = name, Device = Device, Threads = Threads, ShareThreads = ShareThreads, Fuse = Fuse, MaxModelBytes = MaxModelBytes,
    };
}
