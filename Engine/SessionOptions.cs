namespace Cardinal;

/// <summary>Where a session runs.</summary>
public enum Device
{
    /// <summary>Cardinal's own CPU kernels.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>An OpenCL 2.0+ device through ILGPU (needs the generic address space).</summary>
    OpenCL,
    /// <summary>The GPU kernels on ILGPU's CPU accelerator: a slow simulator, for testing the GPU path anywhere.</summary>
    IlgpuCpu,
    /// <summary>The best available: CUDA, then OpenCL, else Cardinal's CPU kernels.</summary>
    Auto,
}

/// <summary>Options for opening a session (see <c>Backends.Create</c> in Cardinal.Kernels.Gpu, which maps them to a backend).</summary>
public sealed record SessionOptions
{
    public Device Device { get; init; } = Device.Cpu;
    /// <summary>CPU threads one run may use (CPU backend); defaults to the processor count.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Run the graph fusion passes (BatchNorm folding, residual Add and ReLU into the convolution). On by default.</summary>
    public bool Fuse { get; init; } = true;
    /// <summary>The model's name in metrics and traces ("cardinal.model"); the graph's name when not set.</summary>
    public string? Name { get; init; }
}
