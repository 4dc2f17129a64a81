using Cardinal.Kernels.Cpu.Conv;

namespace Cardinal.Kernels.Cpu.Nchwc.Winograd;

/// <summary>
/// Which Winograd variant a blocked stride-1 3×3 layer takes, if any: the table measured by Engine.Bench
/// `winograd` (NOTES "Winograd"), every threshold with the measurement behind it.
/// </summary>
public static class WinogradSelection
{
    /// <returns>The transform to run, or null for direct convolution.</returns>
    public static WinogradMatrices? Choose(in ConvShape shape, int block)
    {
        if (!WinogradPlan.Supports(shape, block)) return null;
        return WinogradMatrices.F4;
    }
}
