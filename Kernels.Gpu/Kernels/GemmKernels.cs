using ILGPU;

namespace Cardinal.Kernels.Gpu.Kernels;

/// <summary>The ONNX Gemm contract on the device, one thread per output element (the classifier tail is small).</summary>
internal struct GemmParams
{
    public int M, N, K;
    /// <summary>Element strides of op(A) [M×K] and op(B) [K×N] — transposes are stride swaps.</summary>
    public int ARow, ACol, BRow, BCol;
    /// <summary>C's broadcast strides over [M×N] (0 on broadcast axes); HasC = 0 skips it.</summary>
    public int CRow, CCol, HasC;
    public float Alpha, Beta;
}

internal static class GemmKernels
{
    public static void Gemm(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> y, GemmParams p)
    {
        int i = index / p.N, j = index % p.N;
        float sum = 0;
        for (int k = 0; k < p.K; k++) sum += a[(long)i * p.ARow + (long)k * p.ACol] * b[(long)k * p.BRow + (long)j * p.BCol];
        float v = p.Alpha * sum;
        if (p.HasC != 0) v += p.Beta * c[(long)i * p.CRow + (long)j * p.CCol];
        y[index] = v;
    }
}
