namespace Cardinal.Serve;

/// <summary>
/// The service's settings, from the command line (--model M --threads 2 …) or any other ASP.NET
/// configuration source (environment variables such as Cardinal__Threads, appsettings).
/// </summary>
public sealed record ServeOptions
{
    /// <summary>An .onnx path, or "default": the bundled ImageNet-pretrained ResNet-18 feature extractor.</summary>
    public string Model { get; init; } = "default";

    /// <summary>Preprocessing preset (imagenet, mlnet-resnet18); by default mlnet-resnet18 for the bundled model, else imagenet.</summary>
    public string? Preset { get; init; }

    /// <summary>CPU threads per model run.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Requests coalesced into one run at most (models with a symbolic batch); 1, the default, runs each
    /// request on its own. On the 2-core machine batching was neutral for ResNet-18/50 throughput and raised
    /// latency, and paid (1.3×) only for small models: measure before turning it on (Engine.Bench batching).
    /// </summary>
    public int MaxBatch { get; init; } = 1;

    /// <summary>How long a request waits for others to share its batch.</summary>
    public double MaxWaitMs { get; init; } = 2;

    /// <summary>Requests admitted at once (running or waiting); one more gets 503 with Retry-After.</summary>
    public int Queue { get; init; } = 32;

    /// <summary>Largest upload accepted; larger gets 413.</summary>
    public long MaxUploadBytes { get; init; } = 16 << 20;

    /// <summary>Accept GIF and TIFF uploads too (off: they are the decoders with the worst security record).</summary>
    public bool EnableGif { get; init; }
    public bool EnableTiff { get; init; }

    /// <summary>
    /// On shutdown (SIGTERM), how long /health/ready answers 503 while the service still serves, before it stops
    /// accepting connections: long enough for a load balancer's probe to notice (Kubernetes probes every 10 s by default,
    /// so give it at least periodSeconds × failureThreshold of the readiness probe, or use a preStop sleep). In-flight
    /// requests then finish, up to the host's shutdown timeout (30 s).
    /// </summary>
    public double DrainSeconds { get; init; } = 5;

    public static ServeOptions From(IConfiguration configuration)
    {
        var defaults = new ServeOptions();
        var options = new ServeOptions
        {
            Model = configuration["model"] ?? defaults.Model,
            Preset = configuration["preset"],
            Threads = configuration.GetValue("threads", defaults.Threads),
            MaxBatch = configuration.GetValue("max-batch", defaults.MaxBatch),
            MaxWaitMs = configuration.GetValue("max-wait-ms", defaults.MaxWaitMs),
            Queue = configuration.GetValue("queue", defaults.Queue),
            MaxUploadBytes = configuration.GetValue("max-upload-bytes", defaults.MaxUploadBytes),
            EnableGif = configuration.GetValue("enable-gif", false),
            EnableTiff = configuration.GetValue("enable-tiff", false),
            DrainSeconds = configuration.GetValue("drain-seconds", defaults.DrainSeconds),
        };
        if (options.Threads < 1) throw new ArgumentException("--threads must be at least 1");
        if (options.MaxBatch < 1) throw new ArgumentException("--max-batch must be at least 1");
        if (options.Queue < 1) throw new ArgumentException("--queue must be at least 1");
        if (options.MaxWaitMs < 0) throw new ArgumentException("--max-wait-ms cannot be negative");
        if (options.MaxUploadBytes < 1) throw new ArgumentException("--max-upload-bytes must be positive");
        if (options.DrainSeconds is < 0 or > 300) throw new ArgumentException("--drain-seconds must be between 0 and 300");
        return options;
    }
}
