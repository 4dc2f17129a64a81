using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>
/// The problem one convolution step solves, everything its plan depends on besides the weights: batch,
/// channels, output channels, groups, the window, and the fused epilogue (bias is always applied; a missing
/// bias reads as zeros).
/// </summary>
internal readonly record struct ConvShape(int Batch, int Channels, int OutChannels, int Group, Window3D Window, ConvEpilogue Epilogue = default)
{
    public int ChannelsPerGroup => Channels / Group;
    public int OutChannelsPerGroup => OutChannels / Group;
    /// <summary>The GEMM's K: one group's input channels times the window's taps.</summary>
    public int K => ChannelsPerGroup * Window.KernelSize;
    public long InputLength => (long)Batch * Channels * Window.InSize;
    public long OutputLength => (long)Batch * OutChannels * Window.OutSize;
    public long WeightLength => (long)OutChannels * K;
    public long Flops => 2L * K * OutputLength;

    public override string ToString() =>
        $"N{Batch} C{Channels}→{OutChannels} g{Group} in {Window.InD}×{Window.InH}×{Window.InW} k {Window.KD}×{Window.KH}×{Window.KW} " +
        $"s {Window.SD}×{Window.SH}×{Window.SW} d {Window.DD}×{Window.DH}×{Window.DW} pad {Window.PadD},{Window.PadH},{Window.PadW}/{Window.PadEndD},{Window.PadEndH},{Window.PadEndW}{Epilogue}";
}

/// <summary>The convolution algorithms of the CPU backend (one <see cref="ConvPlan"/> subclass each).</summary>
internal enum ConvAlgorithm
{
    /// <summary>1×1, stride 1, unpadded: the input already is the GEMM's B.</summary>
    PointwiseGemm,
    /// <summary>"Same" stride-1 2-D windows with packed weights: B panels gathered straight from the input.</summary>
    ShiftedTapGemm,
    /// <summary>Any window: the input unfolded into a K × OutSize matrix, then a GEMM.</summary>
    Im2ColGemm,
    /// <summary>Narrow groups (ResNeXt), 2-D, unit column stride: plain multiply-adds along output rows.</summary>
    DirectGrouped,
    /// <summary>Group 1, 2-D, on the channel-blocked (NCHWc) layout: register tiles of pixels × channel blocks, weights packed once.</summary>
    BlockedDirect,
    /// <summary>Stride-1 3×3 (one group, or groups of whole blocks) on the blocked layout: Winograd F(4×4, 3×3) (36 multiplications where direct takes 144).</summary>
    Winograd4x4,
    /// <summary>Stride-1 3×3 (one group, or groups of whole blocks) on the blocked layout: Winograd F(2×2, 3×3) (16 multiplications where direct takes 36).</summary>
    Winograd2x2,
    /// <summary>Groups narrower than the block (ResNeXt's 4 or 8 channels on AVX-512, 4 on AVX2) on the blocked layout: only the true multiply-adds, channels in the lanes, one in-group rotation per output pixel.</summary>
    GroupedDiagonal,
}
