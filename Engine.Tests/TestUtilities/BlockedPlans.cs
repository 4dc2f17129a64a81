using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Tests.TestUtilities;

/// <summary>Blocked direct plans made only to look at their choices (task order, buffers, prefetches): random weights.</summary>
internal static class BlockedPlans
{
    /// <summary>A plan of <paramref name="shape"/> on tier <paramref name="isa"/> and <paramref name="parallel"/>'s threads, with weights from <paramref name="seed"/>.</summary>
    public static BlockedDirectPlan WithRandomWeights(ConvShape shape, CpuIsa isa, ParallelRunner parallel, BlockedTuning? tuning = null, int seed = 3) =>
        new(shape, TestModels.RandomWeights(new Random(seed), shape.WeightLength), CpuPlatform.Create(isa), parallel, null, tuning);
}
