namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// When <see cref="BlockedDirectPlan"/> sums a layer's input blocks in passes. A task's tiles stream their output
/// group's whole filter slice once per row; once the slice outgrows the L2 cache (ResNet-50's layer4 3×3: 1.2 MB per
/// group of 64 outputs, its 2048-channel 1×1s: 512 KB), every row reads it from L3 or memory. In passes of about 128
/// input channels over all the task's rows, a pass's slice stays in cache across the rows, and each pass adds its
/// partial sums to y (the loop order of MLAS's NCHWc kernels: filter set, input channels, rows).
/// Measured (Engine.Bench layers, ResNet-50, 1 thread, exact mode; NOTES "Passes over input channels"): layer4's
/// 3×3s 1.40–1.50 → 1.12–1.24 ms, 1024 → 256 1×1 at 14×14 0.58 → 0.46 ms; slices of 128 KB and less gained nothing.
/// </summary>
/// <param name="AboveBytes">A group's filter slice above this many bytes is summed in passes.</param>
/// <param name="ChunkChannels">Input channels per pass (rounded to whole blocks, passes of near-equal size).</param>
internal readonly record struct BlockedChunking(long AboveBytes, int ChunkChannels)
{
    public static BlockedChunking Default { get; } = new(192 * 1024, 128);

    /// <summary>Every layer with more than one input block in passes of one block: what the tests force on small shapes.</summary>
    public static BlockedChunking EveryBlock { get; } = new(0, 1);
}
