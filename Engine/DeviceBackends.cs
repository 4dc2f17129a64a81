namespace Cardinal;

/// <summary>
/// Makes the backend for a GPU <see cref="Device"/> (CUDA, OpenCL, ILGPU's CPU simulator). Engine cannot name the GPU
/// backend: it lives in Cardinal.Kernels.Gpu with ILGPU, which a CPU-only program (the NativeAOT service) must never
/// load. So the GPU assembly registers itself, once, when the program asks for it (<c>CardinalGpu.Register()</c>),
/// and <c>CardinalSession.Open</c> finds it here; without it a GPU device is a <see cref="DeviceNotRegisteredException"/>
/// that names the package to add.
/// </summary>
internal static class DeviceBackends
{
    /// <summary>
    /// Makes a backend for <paramref name="device"/> (never <see cref="Device.Cpu"/> or <see cref="Device.Auto"/>),
    /// folding constants on <paramref name="constantFolder"/>, which it owns from then on (it disposes it, even when
    /// it throws). Throws a <see cref="CardinalException"/> when the device is not there.
    /// </summary>
    public delegate IBackend GpuFactory(Device device, IBackend constantFolder);

    private static volatile GpuFactory? s_gpu;

    /// <summary>Sets the GPU backend factory (the GPU assembly's <c>CardinalGpu.Register()</c> calls this). The last call wins.</summary>
    public static void RegisterGpu(GpuFactory factory) => s_gpu = factory ?? throw new ArgumentNullException(nameof(factory));

    /// <summary>Whether a GPU backend is registered.</summary>
    public static bool GpuRegistered => s_gpu is not null;

    /// <summary>The registered factory, or the error that says which package to add.</summary>
    public static GpuFactory Gpu(Device device) => s_gpu ?? throw new DeviceNotRegisteredException(
        $"Device '{device.ToString().ToLowerInvariant()}' needs the GPU backend: add the Cardinal.Kernels.Gpu package and call " +
        "Cardinal.Kernels.Gpu.CardinalGpu.Register() once at start-up.");

    /// <summary>Forgets the registration (tests).</summary>
    internal static void Reset() => s_gpu = null;
}

/// <summary>A GPU device was asked for, but no GPU backend is registered (see <see cref="DeviceBackends"/>).</summary>
public sealed class DeviceNotRegisteredException(string message) : CardinalException(message);
