using Cardinal.Planning;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace Cardinal.Kernels.Gpu;

/// <summary>
/// Runs plans on a device through ILGPU: CUDA, OpenCL, or ILGPU's CPU accelerator (the GPU kernels on the
/// CPU, for testing). Kernels are loaded once per backend; each compiled plan keeps its weights on the device
/// and one arena for everything a run computes. Constant folding (shape arithmetic and the like, done once
/// while planning) runs on the backend given as <c>constantFolder</c>, usually Cardinal's CPU backend with one
/// thread: this project does not reference the CPU kernels, so whoever builds a GpuBackend chooses it.
/// </summary>
public sealed class GpuBackend : IBackend
{
    private readonly Context _context;
    private readonly IBackend _folder;
    private readonly bool _ownsFolder;

    /// <param name="kind">Cuda, OpenCL or IlgpuCpu.</param>
    /// <param name="constantFolder">
    /// Evaluates constant nodes while planning, e.g. <c>new CpuBackend(new() { Threads = 1 })</c>: folding on a
    /// device would only cost transfers, and the device kernels cover the network's ops, not all shape arithmetic.
    /// </param>
    /// <param name="deviceIndex">Which device of that kind (as `cardinal devices` numbers them).</param>
    /// <param name="ownsConstantFolder">
    /// Dispose <paramref name="constantFolder"/> with this backend (the default: the common call builds it
    /// inline). The backend also disposes an owned folder when the device fails to open; pass false to share
    /// one folder between backends and dispose it yourself.
    /// </param>
    public GpuBackend(Device kind, IBackend constantFolder, int deviceIndex = 0, bool ownsConstantFolder = true)
    {
        ArgumentNullException.ThrowIfNull(constantFolder);
        _folder = constantFolder;
        _ownsFolder = ownsConstantFolder;
        Kind = kind;
        try
        {
            if (kind is not (Device.Cuda or Device.OpenCL or Device.IlgpuCpu))
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "GpuBackend runs on Cuda, OpenCL or IlgpuCpu.");
            _context = GpuDevices.CreateContext(kind);
            var devices = _context.Devices.Where(d => GpuDevices.Matches(d, kind)).ToList();
            if (devices.Count == 0)
                throw new DeviceUnavailableException($"No {kind} device is available (run `cardinal devices` to see what ILGPU finds).");
            if (deviceIndex < 0 || deviceIndex >= devices.Count)
                throw new DeviceUnavailableException($"{kind} device {deviceIndex} does not exist; {devices.Count} found.");
            var device = devices[deviceIndex];
            if (device is CLDevice cl && !cl.Capabilities.GenericAddressSpace)
                throw new DeviceUnavailableException($"OpenCL device '{cl.Name}' lacks the generic address space ILGPU needs (an OpenCL 2.0 feature).");
            Accelerator = device.CreateAccelerator(_context);
            Kernels = new LoadedKernels(Accelerator);
        }
        catch (Exception e) when (e is DeviceUnavailableException or ArgumentOutOfRangeException)
        {
            _context?.Dispose();
            if (_ownsFolder) _folder.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _context?.Dispose();
            if (_ownsFolder) _folder.Dispose();
            throw new DeviceUnavailableException($"Cannot open {kind} device {deviceIndex}: {e.Message}", e);
        }
    }

    /// <summary>The device kind it runs on.</summary>
    public Device Kind { get; }
    internal Accelerator Accelerator { get; }
    internal LoadedKernels Kernels { get; }

    /// <inheritdoc/>
    public string Description => $"{Kind.ToString().ToLowerInvariant()} ({Accelerator.Name}, {GpuDevices.Memory(Accelerator.MemorySize)})";

    internal IBackend ConstantFolder => _folder;

    internal ICompiledPlan Compile(ExecutionPlan plan) => new GpuCompiledPlan(this, plan);

    // IBackend's planning members are internal (the public API is the opaque backend): an internal member cannot
    // implement them implicitly, so these forward explicitly.
    IBackend IBackend.ConstantFolder => ConstantFolder;
    ICompiledPlan IBackend.Compile(ExecutionPlan plan) => Compile(plan);

    /// <summary>Releases the accelerator, its context and, when owned, the constant folder.</summary>
    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
        if (_ownsFolder) _folder.Dispose();
    }
}

/// <summary>The requested device is missing or failed to open. Never a silent fallback, except with <see cref="Device.Auto"/>.</summary>
public sealed class DeviceUnavailableException : CardinalException
{
    /// <summary>Creates the exception with its message.</summary>
    public DeviceUnavailableException(string message) : base(message) { }
    /// <summary>Creates the exception with its message and the device error.</summary>
    public DeviceUnavailableException(string message, Exception inner) : base(message, inner) { }
}
