using Cardinal.Kernels.Cpu;
using Cardinal.Planning;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace Cardinal.Kernels.Gpu;

/// <summary>
/// Runs plans on a device through ILGPU: CUDA, OpenCL, or ILGPU's CPU accelerator (the GPU kernels on the
/// CPU, for testing). Kernels are loaded once per backend; each compiled plan keeps its weights on the device
/// and one arena for everything a run computes. Constant folding stays on Cardinal's CPU kernels.
/// </summary>
public sealed class GpuBackend : IBackend
{
    private readonly Context _context;
    private readonly CpuBackend _folder = new(new CpuBackendOptions { Threads = 1 });

    public GpuBackend(Device kind, int deviceIndex = 0)
    {
        if (kind is not (Device.Cuda or Device.OpenCL or Device.IlgpuCpu))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "GpuBackend runs on Cuda, OpenCL or IlgpuCpu.");
        Kind = kind;
        try
        {
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
        catch (DeviceUnavailableException)
        {
            _context?.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _context?.Dispose();
            throw new DeviceUnavailableException($"Cannot open {kind} device {deviceIndex}: {e.Message}", e);
        }
    }

    public Device Kind { get; }
    internal Accelerator Accelerator { get; }
    internal LoadedKernels Kernels { get; }

    public string Description => $"{Kind.ToString().ToLowerInvariant()} ({Accelerator.Name}, {GpuDevices.Memory(Accelerator.MemorySize)})";

    public IBackend ConstantFolder => _folder;

    public ICompiledPlan Compile(ExecutionPlan plan) => new GpuCompiledPlan(this, plan);

    public string? DescribeStep(ExecutionPlan plan, PlanStep step) => step.Node.Op is Graph.Ops.ConvOp conv
        ? (plan.Values[step.Inputs[1]].Dims[0] / conv.Group < GpuCompiledPlan.MinChannelsPerGroupForTiles ? "direct grouped kernel" : "implicit GEMM, shared-memory tiles")
        : null;

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
        _folder.Dispose();
    }
}

/// <summary>The requested device is missing or failed to open. Never a silent fallback, except with <see cref="Device.Auto"/>.</summary>
public sealed class DeviceUnavailableException : CardinalException
{
    public DeviceUnavailableException(string message) : base(message) { }
    public DeviceUnavailableException(string message, Exception inner) : base(message, inner) { }
}
