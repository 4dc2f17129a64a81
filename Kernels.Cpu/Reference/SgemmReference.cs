namespace Cardinal.Kernels.Cpu.Reference;

/// <summary>The plain twin of <see cref="Gemm.Sgemm"/>: C[M×N] (+)= A[M×K]·B[K×N], row-major, one multiply-add at a time.</summary>
internal static class SgemmReference
{
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = accumulate ? c[i * ldc + j] : 0f;
                for (int p = 0; p < k; p++) sum += a[i * lda + p] * b[p * ldb + j];
                c[i * ldc + j] = sum;
            }
    }
}
