using System.Numerics;

namespace Cardinal.Kernels.Cpu.Gemm;

/// <summary>
/// What the GEMM applies to each output tile as it finishes it (after the last K slice, while the tile is
/// still in L1): C = relu(C + bias[row] + residual). A convolution's bias, fused residual Add and ReLU so
/// cost no passes of their own over the output, and they run on every thread, as part of the GEMM blocks.
/// </summary>
/// <param name="Bias">Per row of C (an output channel), or null.</param>
/// <param name="Residual">Laid out as C, with C's leading dimension, or null.</param>
public readonly unsafe struct GemmEpilogue(float* bias, float* residual, bool relu)
{
    public float* Bias { get; } = bias;
    public float* Residual { get; } = residual;
    public bool Relu { get; } = relu;

    public bool IsNone => Bias is null && Residual is null && !Relu;

    /// <summary>Applies to the rows × cols tile at (row, col) of C, whose top-left element is <paramref name="tile"/>.</summary>
    public void Apply(float* tile, long ldc, int row, int col, int rows, int cols)
    {
        int width = Vector<float>.Count;
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + r * ldc;
            float* res = Residual is null ? null : Residual + (row + r) * ldc + col;
            float b = Bias is null ? 0f : Bias[row + r];
            var bias = new Vector<float>(b);
            int q = 0;
            for (; q + width <= cols; q += width)
            {
                var v = Vector.Load(t + q) + bias;
                if (res is not null) v += Vector.Load(res + q);
                if (Relu) v = Vector.Max(v, Vector<float>.Zero);
                v.Store(t + q);
            }
            for (; q < cols; q++)
            {
                float v = t[q] + b;
                if (res is not null) v += res[q];
                t[q] = Relu && v < 0 ? 0f : v;
            }
        }
    }
}
