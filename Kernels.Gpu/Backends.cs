using Cardinal.Kernels.Cpu;

namespace Cardinal.Kernels.Gpu;

/// <summary>Maps <see cref="SessionOptions.Device"/> to a backend: the one place that chooses.</summary>
public static class Backends
{
    /// <summary>
    /// Cpu → Cardinal's CPU kernels; Cuda / OpenCL / IlgpuCpu → that ILGPU device, or a
    /// <see cref="DeviceUnavailableException"/>; Auto → CUDA, then OpenCL, else the CPU kernels.
    /// </summary>
    public static IBackend Create(SessionOptions options)
    {
        switch (options.Device)
        {
            case Device.Cpu:
                return new CpuBackend(new CpuBackendOptions { Threads = options.Threads });
            case Device.Auto:
                foreach (Device kind in new[] { Device.Cuda, Device.OpenCL })
                {
                    try { return new GpuBackend(kind); }
                    catch (DeviceUnavailableException) { }
                }
                return new CpuBackend(new CpuBackendOptions { Threads = options.Threads });
            default:
                return new GpuBackend(options.Device);
        }
    }

    public static Device Parse(string text) => text.ToLowerInvariant() switch
    {
        "cpu" => Device.Cpu,
        "cuda" => Device.Cuda,
        "opencl" => Device.OpenCL,
        "ilgpu-cpu" or "ilgpucpu" => Device.IlgpuCpu,
        "auto" => Device.Auto,
        _ => throw new ArgumentException($"unknown device '{text}' (cpu, cuda, opencl, ilgpu-cpu, auto)"),
    };
}
