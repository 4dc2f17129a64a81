using Cardinal.Kernels.Cpu.Conv;

namespace Cardinal.Kernels.Cpu.Winograd;

/// <summary>
/// Which Winograd variant a blocked stride-1 3×3 layer takes: the table measured by Engine.Bench `winograd --cold`
/// (NOTES "Winograd"; cold: the weights come from memory, as inside a network whose weights never fit L3). The choice
/// looks at one image's plane only, never at the batch: each tile's arithmetic is the same whatever chunk or batch it
/// runs in, so a batched answer stays bit-identical to a single run (the batcher's contract, InferenceBatcherTests).
/// </summary>
internal static class WinogradSelection
{
    /// <summary>
    /// F(4×4) from this many 4×4 tiles per image up, F(2×2) below. F4's transformed filter is 2.25× F2's and streams
    /// from memory once per chunk of tiles: with few tiles that stream costs more than the multiplications saved.
    /// Measured (AVX-512, 1 thread, batch 1, cold): 56×56 (196 tiles) F4 2.2× direct, F2 1.5×; 28×28 (49) F4 1.95×,
    /// F2 1.7×; 14×14 (16) F4 1.2×, F2 1.4×; 7×7 (4) F4 1.2×, F2 1.35×. At batch 8 F4 would win at 14×14 by a few
    /// percent (1.6× against 1.5×): not worth answers that change with the batch.
    /// </summary>
    public const int F4MinTilesPerImage = 40;

    /// <returns>The transform to run, or null for direct convolution (shapes Winograd does not take).</returns>
    /// <param name="shape">The layer.</param>
    /// <param name="block">The layout's channel block (8 or 16).</param>
    /// <param name="tuning">Whether groups of one and of two blocks take Winograd (<see cref="Nchwc.BlockedTuning.WinogradOneBlockGroups"/>,
    /// <see cref="Nchwc.BlockedTuning.WinogradTwoBlockGroups"/>); null: the defaults.</param>
    public static WinogradMatrices? Choose(in ConvShape shape, int block, Nchwc.BlockedTuning? tuning = null)
    {
        if (!WinogradPlan.Supports(shape, block)) return null;
        // Grouped layers: F(2×2) where each group is one or two AVX-512 blocks in and out (GroupedWinogradBatches); wider
        // groups and F(4×4) ran slower than the direct kernel through the general path (`winograd --grouped`, NOTES
        // "Thirty-fifth sitting").
        if (shape.Group > 1)
        {
            var tune = tuning ?? Nchwc.BlockedTuning.Default;
            bool square = block == 16 && shape.ChannelsPerGroup == shape.OutChannelsPerGroup;
            return square && ((shape.ChannelsPerGroup == 16 && tune.WinogradOneBlockGroups) || (shape.ChannelsPerGroup == 32 && tune.WinogradTwoBlockGroups))
                ? WinogradMatrices.F2 : null;
        }
        var w = shape.Window;
        long tiles = (long)((w.OutH + 3) / 4) * ((w.OutW + 3) / 4);
        return tiles >= F4MinTilesPerImage ? WinogradMatrices.F4 : WinogradMatrices.F2;
    }
}
