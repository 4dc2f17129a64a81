using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Gemm;

/// <summary>
/// What the GEMM applies to each output tile as it finishes it (after the last K slice, while the tile is
/// still in L1): C = relu?(C + bias[row] + residual?). A convolution's bias, fused residual Add and ReLU
/// so cost no passes of their own over the output, and they run on every thread, as part of the GEMM
/// blocks. The arithmetic is the epilogue struct's (Cardinal.Epilogues), at the platform's width.
/// </summary>
internal readonly unsafe struct GemmEpilogue
{
    private readonly delegate* managed<float*, long, float*, float*, long, int, int, void> _tile;

    /// <param name="bias">Per row of C (an output channel), or null.</param>
    /// <param name="residual">Laid out as C, with C's leading dimension, or null.</param>
    /// <param name="platform">The tier's kernel table (the vector kernels the epilogue runs).</param>
    /// <param name="relu">Clamp at zero last.</param>
    public GemmEpilogue(CpuPlatform platform, float* bias, float* residual, bool relu)
    {
        Bias = bias;
        Residual = residual;
        Relu = relu;
        _tile = platform.EpilogueTile(new ConvEpilogue(residual is not null, relu));
    }

    public float* Bias { get; }
    public float* Residual { get; }
    public bool Relu { get; }

    public bool IsNone => Bias is null && Residual is null && !Relu;

    /// <summary>Applies to the rows × cols tile at (row, col) of C, whose top-left element is <paramref name="tile"/>.</summary>
    public void Apply(float* tile, long ldc, int row, int col, int rows, int cols) =>
        _tile(tile, ldc, Bias is null ? null : Bias + row, Residual is null ? null : Residual + row * ldc + col, ldc, rows, cols);
}
