using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>The plan for a convolution on blocked values: every threshold of that choice lives here.</summary>
public static class BlockedConvPlans
{
    /// <param name="shape">The logical shape (channels as the model has them).</param>
    public static ConvPlan Create(in ConvShape shape, Tensor? weights, int block, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache) =>
        new BlockedConvViaNchw(shape, weights, block, platform, parallel, cache);
}
