using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Cardinal.Kernels.Gpu;

/// <summary>A device ILGPU can see, as `cardinal devices` lists it.</summary>
public sealed record GpuDeviceInfo(Device Kind, int Index, string Name, long MemoryBytes, int MaxThreadsPerGroup, int Multiprocessors, string? Problem);

/// <summary>Finding devices and opening ILGPU contexts for them.</summary>
public static class GpuDevices
{
    /// <summary>
    /// The ILGPU CPU accelerator shaped like an NVIDIA GPU (warp 32, up to 1024 threads a group): its
    /// default shape allows only 16 threads per group, too few for the tiled kernels.
    /// </summary>
    internal static Context CreateContext(Device kind) => Context.Create(builder =>
    {
        builder.EnableAlgorithms();
        switch (kind)
        {
            case Device.Cuda: builder.Cuda(); break;
            case Device.OpenCL: builder.OpenCL(); break;
            case Device.IlgpuCpu: builder.CPU(CPUDeviceKind.Nvidia); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an ILGPU device kind");
        }
    });

    /// <summary>Every CUDA, OpenCL and ILGPU-CPU device, with the reason a kind is unavailable when it is.</summary>
    public static List<GpuDeviceInfo> List()
    {
        var result = new List<GpuDeviceInfo>();
        foreach (Device kind in new[] { Device.Cuda, Device.OpenCL, Device.IlgpuCpu })
        {
            try
            {
                using var context = CreateContext(kind);
                var devices = context.Devices.Where(d => Matches(d, kind)).ToList();
                if (devices.Count == 0) result.Add(new GpuDeviceInfo(kind, -1, "(none found)", 0, 0, 0, Missing(kind)));
                for (int i = 0; i < devices.Count; i++)
                {
                    var d = devices[i];
                    result.Add(new GpuDeviceInfo(kind, i, d.Name, d.MemorySize, d.MaxNumThreadsPerGroup, d.NumMultiprocessors,
                        kind == Device.OpenCL && d is CLDevice cl && !cl.Capabilities.GenericAddressSpace
                            ? "lacks the generic address space ILGPU needs (OpenCL 2.0 feature); cannot run kernels" : null));
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result.Add(new GpuDeviceInfo(kind, -1, "(unavailable)", 0, 0, 0, e.Message));
            }
        }
        return result;
    }

    /// <summary>The names of the ILGPU device kinds: cuda, opencl, ilgpu-cpu (or ilgpucpu), any case.</summary>
    public static bool TryParse(string text, out Device kind)
    {
        (bool known, kind) = text.ToLowerInvariant() switch
        {
            "cuda" => (true, Device.Cuda),
            "opencl" => (true, Device.OpenCL),
            "ilgpu-cpu" or "ilgpucpu" => (true, Device.IlgpuCpu),
            _ => (false, default(Device)),
        };
        return known;
    }

    /// <summary>Device memory for display; ILGPU's CPU accelerator reports an unbounded size, shown as host memory.</summary>
    internal static string Memory(long bytes) => bytes >= 1L << 40 ? "host memory" : $"{bytes / 1048576} MiB";

    internal static bool Matches(ILGPU.Runtime.Device d, Device kind) => kind switch
    {
        Device.Cuda => d.AcceleratorType == AcceleratorType.Cuda,
        Device.OpenCL => d.AcceleratorType == AcceleratorType.OpenCL,
        Device.IlgpuCpu => d.AcceleratorType == AcceleratorType.CPU,
        _ => false,
    };

    private static string Missing(Device kind) => kind switch
    {
        Device.Cuda => "no CUDA driver or GPU visible",
        Device.OpenCL => "no OpenCL platform visible",
        _ => "not available",
    };
}
