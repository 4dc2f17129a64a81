namespace Cardinal.Graph.Ops;

/// <summary>
/// A convolution or pooling window over exactly three spatial axes (D, H, W), as every kernel (CPU and GPU)
/// takes it. 1-D and 2-D problems are padded at the front with unit axes (size 1, kernel 1, stride 1, no pad), so one kernel serves all ranks.
/// </summary>
internal readonly record struct Window3D(
    int InD, int InH, int InW, int OutD, int OutH, int OutW,
    int KD, int KH, int KW, int SD, int SH, int SW, int DD, int DH, int DW,
    int PadD, int PadH, int PadW, int PadEndD = 0, int PadEndH = 0, int PadEndW = 0)
{
    public int InSize => InD * InH * InW;
    public int OutSize => OutD * OutH * OutW;
    public int KernelSize => KD * KH * KW;

    public static Window3D From(WindowGeometry g)
    {
        int lead = 3 - g.Rank;
        int Pick(int[] values, int axis, int fallback) => axis < lead ? fallback : values[axis - lead];
        return new Window3D(
            Pick(g.Input, 0, 1), Pick(g.Input, 1, 1), Pick(g.Input, 2, 1),
            Pick(g.Output, 0, 1), Pick(g.Output, 1, 1), Pick(g.Output, 2, 1),
            Pick(g.Kernel, 0, 1), Pick(g.Kernel, 1, 1), Pick(g.Kernel, 2, 1),
            Pick(g.Stride, 0, 1), Pick(g.Stride, 1, 1), Pick(g.Stride, 2, 1),
            Pick(g.Dilation, 0, 1), Pick(g.Dilation, 1, 1), Pick(g.Dilation, 2, 1),
            Pick(g.PadBegin, 0, 0), Pick(g.PadBegin, 1, 0), Pick(g.PadBegin, 2, 0),
            Pick(g.PadEnd, 0, 0), Pick(g.PadEnd, 1, 0), Pick(g.PadEnd, 2, 0));
    }

    /// <summary>
    /// A 2-D window in 3-D clothing: one depth plane in and out, read by its one depth tap (no depth padding in
    /// front of it). The 2-D kernels (shifted taps, direct grouped, row max pool) take only these.
    /// </summary>
    public bool IsPlanar => InD == 1 && KD == 1 && OutD == 1 && PadD == 0;

    /// <summary>True when the window is a plain 1×1×1, stride-1, unpadded map: the input already is the GEMM's B.</summary>
    public bool IsPointwise => KernelSize == 1 && SD == 1 && SH == 1 && SW == 1 && PadD == 0 && PadH == 0 && PadW == 0
        && OutD == InD && OutH == InH && OutW == InW;
}
