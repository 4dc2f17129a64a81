using Cardinal.Graph.Ops;
namespace Cardinal.Kernels.Gpu.Kernels;

/// <summary>
/// Convolution geometry for the device kernels, normalised to three spatial axes (D, H, W) like the CPU's
/// Window3D, plus the fused epilogue flags. Passed by value to every launch.
/// </summary>
internal struct ConvParams
{
    public int N, C, InD, InH, InW, M, OutD, OutH, OutW;
    public int KD, KH, KW, SD, SH, SW, DD, DH, DW, PD, PH, PW;
    public int Group, CPerGroup, MPerGroup;
    /// <summary>GEMM depth per group, CPerGroup·KD·KH·KW, and columns, N·OutD·OutH·OutW.</summary>
    public int K, P;
    public int HasBias, HasResidual, Relu;
}
