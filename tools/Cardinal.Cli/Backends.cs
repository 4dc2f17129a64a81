using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Gpu;

namespace Cardinal.Cli;

/// <summary>
/// Which backend to run on, as `--device` and `--threads` say: the one place the thread count of the CLI's
/// sessions is set (<see cref="SessionOptions"/> holds only what the session itself does).
/// </summary>
public sealed record BackendChoice
{
    /// <summary>Where to run; <see cref="Device.Auto"/> tries CUDA, then OpenCL, else the CPU kernels.</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>
    /// Threads of the CPU kernels when the choice lands on the CPU (Cpu, or Auto without a GPU); defaults to the
    /// processor count. A GPU device runs on its own and folds constants on one CPU thread, whatever this says.
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The CPU kernels' exact mode: direct convolution everywhere, no Winograd (<see cref="CpuBackendOptions.Winograd"/>),
    /// for results within a few ulps of direct summation. False leaves the default (Winograd, unless CARDINAL_WINOGRAD=off).
    /// </summary>
    public bool Exact { get; init; }
}

/// <summary>
/// Maps a <see cref="BackendChoice"/> to a backend. It lives in the CLI because it is where both backends are
/// referenced: Kernels.Cpu and Kernels.Gpu know nothing of each other.
/// </summary>
public static class Backends
{
    /// <summary>
    /// Cpu → Cardinal's CPU kernels with <see cref="BackendChoice.Threads"/>; Cuda / OpenCL / IlgpuCpu → that
    /// ILGPU device (constants folded on a one-thread CPU backend it owns), or a
    /// <see cref="DeviceUnavailableException"/>; Auto → CUDA, then OpenCL, else the CPU kernels.
    /// </summary>
    public static IBackend Create(BackendChoice choice)
    {
        if (choice.Threads < 1) throw new ArgumentOutOfRangeException(nameof(choice), choice.Threads, "Threads must be at least 1.");
        switch (choice.Device)
        {
            case Device.Cpu:
                return Cpu(choice);
            case Device.Auto:
                foreach (Device kind in new[] { Device.Cuda, Device.OpenCL })
                {
                    try { return Gpu(kind); }
                    catch (DeviceUnavailableException) { }
                }
                return Cpu(choice);
            default:
                return Gpu(choice.Device);
        }
    }

    /// <summary>A GPU backend whose constants fold on Cardinal's CPU kernels (one thread: folding is shape arithmetic).</summary>
    public static GpuBackend Gpu(Device kind, int deviceIndex = 0) =>
        new(kind, new CpuBackend(new CpuBackendOptions { Threads = 1 }), deviceIndex, ownsConstantFolder: true);

    private static CpuBackend Cpu(BackendChoice choice) =>
        new(choice.Exact ? new CpuBackendOptions { Threads = choice.Threads, Winograd = false } : new CpuBackendOptions { Threads = choice.Threads });

    /// <summary>The `--device` names: cpu, cuda, opencl, ilgpu-cpu (or ilgpucpu), auto.</summary>
    public static Device Parse(string text) => text.ToLowerInvariant() switch
    {
        "cpu" => Device.Cpu,
        "auto" => Device.Auto,
        _ when GpuDevices.TryParse(text, out Device kind) => kind,
        _ => throw new ArgumentException($"unknown device '{text}' (cpu, cuda, opencl, ilgpu-cpu, auto)"),
    };
}
