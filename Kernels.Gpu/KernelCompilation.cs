using System.Reflection;
using Cardinal.Kernels.Gpu.Kernels;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Cardinal.Kernels.Gpu;

/// <summary>
/// Compiles every device kernel ahead of time with ILGPU's own code generators — PTX for a CUDA
/// architecture, or OpenCL C — without a GPU. CI runs this so a kernel that cannot build for a real
/// device fails the build machine, not a user's.
/// </summary>
internal static class KernelCompilation
{
    /// <summary>Every kernel entry point, with whether it is explicitly grouped (shared memory, barriers).</summary>
    public static IReadOnlyList<(string Name, MethodInfo Method, bool ExplicitlyGrouped)> Kernels { get; } =
    [
        ("ConvKernels.ImplicitGemm", typeof(ConvKernels).GetMethod(nameof(ConvKernels.ImplicitGemm))!, true),
        ("ConvKernels.Direct", typeof(ConvKernels).GetMethod(nameof(ConvKernels.Direct))!, false),
        ("PoolKernels.Max", typeof(PoolKernels).GetMethod(nameof(PoolKernels.Max))!, false),
        ("PoolKernels.Average", typeof(PoolKernels).GetMethod(nameof(PoolKernels.Average))!, false),
        ("PoolKernels.GlobalAverage", typeof(PoolKernels).GetMethod(nameof(PoolKernels.GlobalAverage))!, false),
        ("ElementwiseKernels.Binary", typeof(ElementwiseKernels).GetMethod(nameof(ElementwiseKernels.Binary))!, false),
        ("ElementwiseKernels.Relu", typeof(ElementwiseKernels).GetMethod(nameof(ElementwiseKernels.Relu))!, false),
        ("ElementwiseKernels.Sigmoid", typeof(ElementwiseKernels).GetMethod(nameof(ElementwiseKernels.Sigmoid))!, false),
        ("ElementwiseKernels.Clip", typeof(ElementwiseKernels).GetMethod(nameof(ElementwiseKernels.Clip))!, false),
        ("ElementwiseKernels.ScaleShift", typeof(ElementwiseKernels).GetMethod(nameof(ElementwiseKernels.ScaleShift))!, false),
        ("ElementwiseKernels.CopyStrided", typeof(ElementwiseKernels).GetMethod(nameof(ElementwiseKernels.CopyStrided))!, false),
        ("ElementwiseKernels.Softmax", typeof(ElementwiseKernels).GetMethod(nameof(ElementwiseKernels.Softmax))!, false),
        ("GemmKernels.Gemm", typeof(GemmKernels).GetMethod(nameof(GemmKernels.Gemm))!, false),
    ];

    /// <summary>PTX for every kernel, for one CUDA architecture (e.g. SM_80 for A100, SM_90 for H100/H200).</summary>
    public static Dictionary<string, string> ToPtx(CudaArchitecture architecture)
    {
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, CudaInstructionSet.ISA_83, nvvmAPI: null);
        return Kernels.ToDictionary(k => k.Name, k => ((PTXCompiledKernel)Compile(backend, k.Method, k.ExplicitlyGrouped)).PTXAssembly);
    }

    /// <summary>OpenCL C 2.0 source for every kernel, for a device with the generic address space.</summary>
    public static Dictionary<string, string> ToOpenCL()
    {
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        // CLCapabilityContext(float16, float64, int64 atomics, sub-groups, generic address space) — set by name, not position.
        ConstructorInfo ctor = typeof(CLCapabilityContext).GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Single(c => c.GetParameters().Length == 5 && c.GetParameters().All(p => p.ParameterType == typeof(bool)));
        object[] flags = ctor.GetParameters().Select(p => (object)true).ToArray();
        var capabilities = (CLCapabilityContext)ctor.Invoke(flags);
        using var backend = new CLBackend(context, capabilities, CLDeviceVendor.Nvidia, CLCVersion.CL20);
        return Kernels.ToDictionary(k => k.Name, k => ((CLCompiledKernel)Compile(backend, k.Method, k.ExplicitlyGrouped)).Source);
    }

    private static CompiledKernel Compile(Backend backend, MethodInfo method, bool explicitlyGrouped)
    {
        EntryPointDescription entry = explicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        return backend.Compile(entry, KernelSpecialization.Empty);
    }
}
