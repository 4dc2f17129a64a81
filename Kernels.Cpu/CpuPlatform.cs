using Cardinal.Epilogues;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Simd;

namespace Cardinal.Kernels.Cpu;

/// <summary>
/// Everything the CPU kernels decide from the instruction-set tier, decided once (MLAS's platform struct,
/// XNNPACK's gemm-config): the tier, the SGEMM microkernel and its tile (MR×NR), the vector width, the
/// channel block of the coming blocked layout, the buffer alignment, and a function pointer per small vector
/// kernel, each instantiated at this tier's width. No kernel picks a width on its own: tests and benchmarks
/// build a platform per tier (<see cref="Create"/>) and so run every path this machine can execute.
/// One indirect call per tile or row is cheap; per element it would not be.
/// </summary>
internal sealed unsafe class CpuPlatform
{
    /// <summary>Bytes every buffer a kernel streams through starts on (a cache line; a zmm load never splits one).</summary>
    public const int Alignment = Planning.WorkspaceBuffer.Alignment;

    private readonly delegate* managed<float*, long, float*, float*, long, int, int, void>[] _epilogueTiles;

    private CpuPlatform(CpuIsa isa, int mr, int nr, delegate* managed<int, float*, float*, float*, int, bool, void> gemm, string gemmName, int blockSize)
    {
        Isa = isa; MR = mr; NR = nr; GemmKernel = gemm; GemmKernelName = gemmName; BlockSize = blockSize;
        switch (isa)
        {
            case CpuIsa.Avx512: _epilogueTiles = EpilogueTiles<Vec512>(); Fill<Vec512>(); break;
            case CpuIsa.Avx2: _epilogueTiles = EpilogueTiles<Vec256>(); Fill<Vec256>(); break;
            case CpuIsa.Neon or CpuIsa.Portable: _epilogueTiles = EpilogueTiles<Vec128>(); Fill<Vec128>(); break;
            default: _epilogueTiles = EpilogueTiles<Vec1>(); Fill<Vec1>(); break;
        }
    }

    private void Fill<TVec>() where TVec : unmanaged, IVec<TVec>
    {
        VectorWidth = TVec.Count;
        Relu = &SimdKernels<TVec>.Relu;
        Dot = &SimdKernels<TVec>.Dot;
        Dot4 = &SimdKernels<TVec>.Dot4;
        MaskedCopy = &SimdKernels<TVec>.MaskedCopy;
        MultiplyAddRow = &SimdKernels<TVec>.MultiplyAddRow;
        MaxRow = &SimdKernels<TVec>.MaxRow;
    }

    private static delegate* managed<float*, long, float*, float*, long, int, int, void>[] EpilogueTiles<TVec>() where TVec : unmanaged, IVec<TVec> =>
    [
        &SimdKernels<TVec>.EpilogueTile<BiasEpilogue>,
        &SimdKernels<TVec>.EpilogueTile<BiasReluEpilogue>,
        &SimdKernels<TVec>.EpilogueTile<BiasResidualEpilogue>,
        &SimdKernels<TVec>.EpilogueTile<BiasResidualReluEpilogue>,
    ];

    public CpuIsa Isa { get; }
    /// <summary>SGEMM tile rows (output channels per microkernel call).</summary>
    public int MR { get; }
    /// <summary>SGEMM tile columns (output pixels per microkernel call).</summary>
    public int NR { get; }
    public string GemmKernelName { get; }
    /// <summary>Floats per vector of the small kernels: 16 (AVX-512), 8 (AVX2), 4 (NEON, portable), 1 (scalar).</summary>
    public int VectorWidth { get; private set; }
    /// <summary>
    /// Channels per block of the blocked (NCHWc) layout: 16 on AVX-512, 8 on AVX2, 0 (no blocked kernels, the
    /// layout pass keeps NCHW) elsewhere for now.
    /// </summary>
    public int BlockSize { get; }

    /// <summary>C[MR×NR] (+)= packed A [kc][MR] · packed B [kc][NR]; (kc, a, b, c, ldc, accumulate).</summary>
    internal delegate* managed<int, float*, float*, float*, int, bool, void> GemmKernel { get; }
    /// <summary>(x, y, length): y = max(x, 0).</summary>
    internal delegate* managed<float*, float*, nint, void> Relu { get; private set; }
    /// <summary>(x, y, length): Σ x·y.</summary>
    internal delegate* managed<float*, float*, int, float> Dot { get; private set; }
    /// <summary>(y, x0, x1, x2, x3, length, sums): sums[r] = Σ xr·y, each bit-identical to <see cref="Dot"/>(xr, y).</summary>
    internal delegate* managed<float*, float*, float*, float*, float*, int, float*, void> Dot4 { get; private set; }
    /// <summary>(src, mask, dst, length): dst = src AND mask (the shifted-tap panel rows).</summary>
    internal delegate* managed<float*, uint*, float*, int, void> MaskedCopy { get; private set; }
    /// <summary>(dst, src, weight, length): dst += weight·src (the direct grouped convolution's taps).</summary>
    internal delegate* managed<float*, float*, float, int, void> MultiplyAddRow { get; private set; }
    /// <summary>(acc, row, length): acc = max(acc, row) (the row max pool's vertical pass).</summary>
    internal delegate* managed<float*, float*, int, void> MaxRow { get; private set; }

    /// <summary>
    /// The tile epilogue for a convolution's fused flags: (tile, ldc, bias of the tile's first row or null,
    /// residual of the tile's first element, residual row stride, rows, cols).
    /// </summary>
    internal delegate* managed<float*, long, float*, float*, long, int, int, void> EpilogueTile(ConvEpilogue epilogue) =>
        _epilogueTiles[(epilogue.Residual ? 2 : 0) + (epilogue.Relu ? 1 : 0)];

    // Declared before Default: static initializers run in text order.
    private static readonly Dictionary<CpuIsa, CpuPlatform> Tiers = [];

    /// <summary>The platform of the widest tier the machine supports (and CARDINAL_CPU_ISA allows).</summary>
    public static CpuPlatform Default { get; } = Create(CpuIsas.Best());

    /// <summary>The platform of the widest supported tier at or below <paramref name="cap"/> (one instance per tier).</summary>
    public static CpuPlatform Create(CpuIsa cap)
    {
        CpuIsa isa = CpuIsas.Best(cap);
        lock (Tiers)
        {
            if (Tiers.TryGetValue(isa, out CpuPlatform? existing)) return existing;
            CpuPlatform created = isa switch
            {
                CpuIsa.Avx512 => new(CpuIsa.Avx512, 8, 32, &SgemmMicroKernels.Gemm_8x32_Avx512, nameof(SgemmMicroKernels.Gemm_8x32_Avx512), 16),
                CpuIsa.Avx2 => new(CpuIsa.Avx2, 6, 16, &SgemmMicroKernels.Gemm_6x16_Avx2, nameof(SgemmMicroKernels.Gemm_6x16_Avx2), 8),
                CpuIsa.Neon => new(CpuIsa.Neon, 8, 8, &SgemmMicroKernels.Gemm_8x8_Neon, nameof(SgemmMicroKernels.Gemm_8x8_Neon), 0),
                CpuIsa.Portable => new(CpuIsa.Portable, 4, 8, &SgemmMicroKernels.Gemm_4x8_Portable, nameof(SgemmMicroKernels.Gemm_4x8_Portable), 0),
                _ => new(CpuIsa.Scalar, 4, 4, &SgemmMicroKernels.Gemm_4x4_Scalar, nameof(SgemmMicroKernels.Gemm_4x4_Scalar), 0),
            };
            Tiers[isa] = created;
            return created;
        }
    }

    public override string ToString() => $"{Isa.Name()} {GemmKernelName} ({MR}×{NR})";
}
