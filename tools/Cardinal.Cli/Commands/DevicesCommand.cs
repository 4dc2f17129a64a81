using Cardinal.Kernels.Gpu;

namespace Cardinal.Cli.Commands;

/// <summary>cardinal devices: what ILGPU sees — CUDA, OpenCL and its CPU accelerator — and why a kind is missing.</summary>
internal static class DevicesCommand
{
    public static int Run(TextWriter stdout)
    {
        stdout.WriteLine($"cpu        Cardinal's CPU kernels ({Environment.ProcessorCount} logical processors)  --device cpu");
        foreach (var d in GpuDevices.List())
        {
            string flag = d.Kind switch { Device.Cuda => "cuda", Device.OpenCL => "opencl", _ => "ilgpu-cpu" };
            if (d.Index < 0) stdout.WriteLine($"{flag,-10} {d.Name}: {d.Problem}");
            else stdout.WriteLine($"{flag,-10} #{d.Index} {d.Name}, {GpuDevices.Memory(d.MemoryBytes)}, {d.Multiprocessors} multiprocessors, " +
                $"{d.MaxThreadsPerGroup} threads/group  --device {flag}" + (d.Problem is null ? "" : $"  (unusable: {d.Problem})"));
        }
        return Cli.Ok;
    }
}
