namespace Cardinal.Kernels.Cpu.Gemm;

/// <summary>
/// The microkernel chosen for one instruction-set tier, decided once: its tile (MR×NR) and a function
/// pointer to it. One indirect call per tile is cheap; per element it would not be. Tests and benchmarks
/// build a table per tier (<see cref="Create"/>) to run every path this machine can execute.
/// </summary>
public sealed unsafe class CpuKernelTable
{
    private CpuKernelTable(CpuIsa isa, int mr, int nr, delegate* managed<int, float*, float*, float*, int, bool, void> kernel, string name)
    {
        Isa = isa; MR = mr; NR = nr; Kernel = kernel; KernelName = name;
    }

    public CpuIsa Isa { get; }
    public int MR { get; }
    public int NR { get; }
    public string KernelName { get; }

    /// <summary>C[MR×NR] (+)= packed A [kc][MR] · packed B [kc][NR]; (kc, a, b, c, ldc, accumulate).</summary>
    internal delegate* managed<int, float*, float*, float*, int, bool, void> Kernel { get; }

    /// <summary>The widest tier the machine supports (and CARDINAL_CPU_ISA allows).</summary>
    public static CpuKernelTable Default { get; } = Create(CpuIsas.Best());

    /// <summary>The table for the widest supported tier at or below <paramref name="cap"/>.</summary>
    public static CpuKernelTable Create(CpuIsa cap) => CpuIsas.Best(cap) switch
    {
        CpuIsa.Avx512 => new(CpuIsa.Avx512, 8, 32, &SgemmMicroKernels.Gemm_8x32_Avx512, nameof(SgemmMicroKernels.Gemm_8x32_Avx512)),
        CpuIsa.Avx2 => new(CpuIsa.Avx2, 6, 16, &SgemmMicroKernels.Gemm_6x16_Avx2, nameof(SgemmMicroKernels.Gemm_6x16_Avx2)),
        CpuIsa.Neon => new(CpuIsa.Neon, 8, 8, &SgemmMicroKernels.Gemm_8x8_Neon, nameof(SgemmMicroKernels.Gemm_8x8_Neon)),
        CpuIsa.Portable => new(CpuIsa.Portable, 4, 8, &SgemmMicroKernels.Gemm_4x8_Portable, nameof(SgemmMicroKernels.Gemm_4x8_Portable)),
        _ => new(CpuIsa.Scalar, 4, 4, &SgemmMicroKernels.Gemm_4x4_Scalar, nameof(SgemmMicroKernels.Gemm_4x4_Scalar)),
    };

    public override string ToString() => $"{Isa.Name()} {KernelName} ({MR}×{NR})";
}
