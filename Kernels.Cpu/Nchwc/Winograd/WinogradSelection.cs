using Cardinal.Kernels.Cpu.Conv;

namespace Cardinal.Kernels.Cpu.Nchwc.Winograd;

/// <summary>
/// Which Winograd variant a blocked stride-1 3×3 layer takes: the table measured by Engine.Bench `winograd --cold`
/// (NOTES "Winograd"; cold: the weights come from memory, as inside a network whose weights never fit L3).
/// </summary>
public static class WinogradSelection
{
    /// <summary>
    /// F(4×4) from this many 4×4 tiles per run (batch × tile rows × tile columns) up, F(2×2) below. F4's filter is
    /// 36/16 the size of F2's and is streamed once per chunk of tiles: with few tiles that stream dominates. Measured
    /// (AVX-512, 1 thread, cold): 56×56 (196 tiles) F4 2.2× direct, F2 1.5×; 28×28 (49) F4 1.95×, F2 1.7×; 14×14 (16)
    /// F4 1.2×, F2 1.4×; 7×7 (4) F4 1.2×, F2 1.35×; at batch 8, 14×14 (128) F4 1.6×, F2 1.5×, 7×7 (32) F4 1.1×, F2 1.5×.
    /// </summary>
    public const int F4MinTiles = 40;

    /// <returns>The transform to run, or null for direct convolution (shapes Winograd does not take).</returns>
    public static WinogradMatrices? Choose(in ConvShape shape, int block)
    {
        if (!WinogradPlan.Supports(shape, block)) return null;
        var w = shape.Window;
        long tiles = (long)shape.Batch * ((w.OutH + 3) / 4) * ((w.OutW + 3) / 4);
        return tiles >= F4MinTiles ? WinogradMatrices.F4 : WinogradMatrices.F2;
    }
}
