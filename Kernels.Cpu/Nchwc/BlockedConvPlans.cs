using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Winograd;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>The plan for a convolution on blocked values: every threshold of that choice lives here.</summary>
internal static class BlockedConvPlans
{
    /// <param name="shape">The logical shape (channels as the model has them).</param>
    /// <remarks>
    /// The direct kernel takes every one-group 2-D layer with constant weights at the platform's own block: on
    /// AVX-512 it beat the NCHW GEMM plan on all 24 ResNet-50 shapes (Engine.Bench blockedconv, NOTES "Blocked
    /// direct convolution"); anything else runs its NCHW plan between reorders. Stride-1 3×3 layers (and grouped ones of 16- and 32-channel groups on AVX-512, as <see cref="BlockedTuning.WinogradOneBlockGroups"/> and <see cref="BlockedTuning.WinogradTwoBlockGroups"/> allow) take Winograd
    /// where <see cref="WinogradSelection"/> measured it faster, unless <paramref name="winograd"/> is off.
    /// </remarks>
    /// <param name="allowDirect">False: the NCHW plan between reorders, always (the tests' bit-identity check of the pass).</param>
    /// <param name="winograd">False: the exact mode (<see cref="CpuBackendOptions.Winograd"/>), direct convolution everywhere.</param>
    /// <param name="weights">Constant weights, or null when they arrive at run time.</param>
    /// <param name="block">The channel block of the layout (8 or 16).</param>
    /// <param name="platform">The tier's kernel table.</param>
    /// <param name="parallel">The worker threads the plan runs on.</param>
    /// <param name="cache">The backend's packed weights, shared by every plan of the layer.</param>
    /// <param name="tuning">The direct kernel's cache-sized choices (<see cref="CpuBackendOptions.BlockedTuning"/>); null: the defaults.</param>
    public static ConvPlan Create(in ConvShape shape, Tensor? weights, int block, CpuPlatform platform, ParallelRunner parallel, PackedWeightsCache? cache,
        bool allowDirect = true, bool winograd = false, BlockedTuning? tuning = null)
    {
        if (!allowDirect || weights is null || block != platform.BlockSize) return new BlockedConvViaNchw(shape, weights, block, platform, parallel, cache);
        ConvShape layer = shape;
        WinogradMatrices? transform = winograd ? WinogradSelection.Choose(shape, block, tuning) : null;
        // A session that owns its graph drops each layer's raw weights once they are packed; a later plan of that layer
        // (a model with free height and width, at another plane size) whose choice differs then takes the form already
        // packed: every one runs any plane size.
        if (weights.IsReleased && cache is not null && Packed(transform) is false)
            transform = Packed(WinogradMatrices.F4) is true ? WinogradMatrices.F4 : Packed(WinogradMatrices.F2) is true ? WinogradMatrices.F2 : transform;
        if (transform is not null) return new WinogradPlan(shape, weights, transform, platform, parallel, cache, tuning);
        // Groups of 4 or 8 channels: the diagonal kernel does their true work, where the block-diagonal dense one does
        // 4× or 2× (NOTES "The diagonal grouped kernel"). Exact in both modes: it sums in a fixed order, no transform.
        if (GroupedDiagonalPlan.Supports(shape, platform)) return new GroupedDiagonalPlan(shape, weights, platform, parallel, cache);
        return BlockedDirectPlan.Supports(shape, block)
            ? new BlockedDirectPlan(shape, weights, platform, parallel, cache, tuning)
            : new BlockedConvViaNchw(shape, weights, block, platform, parallel, cache);

        bool? Packed(WinogradMatrices? t) => cache is null ? null
            : t is null ? cache.Contains(weights, ConvAlgorithm.BlockedDirect, layer, platform) : WinogradPlan.IsPacked(cache, weights, t, layer, platform);
    }
}
