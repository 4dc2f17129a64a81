namespace Cardinal;

/// <summary>
/// Where a session runs: the kinds a backend factory chooses between (the CLI's --device, <c>Backends.Create</c>);
/// <c>GpuBackend</c> takes the three ILGPU kinds.
/// </summary>
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
