namespace Cardinal.Kernels.Gpu.Kernels;

/// <summary>Pooling geometry over three spatial axes (1-D and 2-D padded with unit axes), per (image, channel) plane.</summary>
internal struct PoolParams
{
    public int InD, InH, InW, OutD, OutH, OutW;
    public int KD, KH, KW, SD, SH, SW, DD, DH, DW, PD, PH, PW, PED, PEH, PEW;
    public int CountIncludePad;
}
