namespace Cardinal.Kernels.Gpu;

/// <summary>
/// Lets <c>CardinalSession.Open</c> (and the hosting package) run on a GPU: call <see cref="Register"/> once at
/// start-up, then set <see cref="SessionOptions.Device"/> to Cuda, OpenCL, IlgpuCpu or Auto. Without it those devices
/// are refused by name, and a CPU-only program never loads this assembly or ILGPU.
/// </summary>
public static class CardinalGpu
{
    /// <summary>Registers <see cref="GpuBackend"/> as the backend of the GPU devices (<see cref="DeviceBackends"/>).</summary>
    public static void Register() =>
        DeviceBackends.RegisterGpu(static (device, folder) => new GpuBackend(device, folder, deviceIndex: 0, ownsConstantFolder: true));
}
