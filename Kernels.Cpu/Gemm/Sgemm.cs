using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Kernels.Cpu.Gemm;

/// <summary>
/// Single-precision GEMM, C[M×N] (+)= A[M×K]·B[K×N], row-major with leading dimensions. A cache-blocked,
/// register-tiled kernel over <see cref="Vector{T}"/>: each micro-tile keeps 4 rows × 2 vectors of C in
/// registers while it walks a K block, broadcasting one A element per row against two B vectors.
/// The ISA-specific packed microkernels of the CPU-speed issue replace this; its twin is
/// <see cref="Reference.SgemmReference"/>.
/// </summary>
public static class Sgemm
{
    /// <summary>K block: one KC×NC panel of B (256×256 floats = 256 KiB) stays in L2 across the row tiles.</summary>
    private const int KC = 256;
    private const int NC = 256;
    /// <summary>Rows of A per parallel task: enough work per task, enough tasks for the threads.</summary>
    private const int MC = 64;
    private const int MR = 4;

    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, ParallelRunner? parallel = null)
    {
        if (m == 0 || n == 0) return;
        CheckExtent(a.Length, m, k, lda, nameof(a));
        CheckExtent(b.Length, k, n, ldb, nameof(b));
        CheckExtent(c.Length, m, n, ldc, nameof(c));
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            return;
        }
        parallel ??= ParallelRunner.Sequential;
        int rowTasks = (m + MC - 1) / MC, colTasks = (n + NC - 1) / NC;
        unsafe
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                var job = new Job(pa, pb, pc, m, n, k, lda, ldb, ldc, accumulate);
                parallel.For(rowTasks * colTasks, t => job.RunTile(t / colTasks * MC, t % colTasks * NC));
            }
        }
    }

    private static void CheckExtent(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols || (rows > 0 && (long)(rows - 1) * ld + cols > length))
            throw new ArgumentException($"Matrix {name} ({rows}×{cols}, ld {ld}) does not fit in {length} elements.");
    }

    private readonly unsafe struct Job(float* a, float* b, float* c, int m, int n, int k, int lda, int ldb, int ldc, bool accumulate)
    {
        public void RunTile(int row0, int col0)
        {
            int rows = Math.Min(MC, m - row0), cols = Math.Min(NC, n - col0);
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                int depth = Math.Min(KC, k - p0);
                bool add = accumulate || p0 > 0;
                int i = 0;
                for (; i + MR <= rows; i += MR)
                    Rows4(a + (row0 + i) * (long)lda + p0, b + p0 * (long)ldb + col0, c + (row0 + i) * (long)ldc + col0, cols, depth, add);
                for (; i < rows; i++)
                    Row1(a + (row0 + i) * (long)lda + p0, b + p0 * (long)ldb + col0, c + (row0 + i) * (long)ldc + col0, cols, depth, add);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Rows4(float* a0, float* b0, float* c0, int cols, int depth, bool add)
        {
            int w = Vector<float>.Count;
            float* a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            float* c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            int j = 0;
            for (; j + 2 * w <= cols; j += 2 * w)
            {
                // Lanes: cR0 holds C[row R][j … j+w), cR1 holds C[row R][j+w … j+2w).
                Vector<float> c00, c01, c10, c11, c20, c21, c30, c31;
                if (add)
                {
                    c00 = Load(c0 + j); c01 = Load(c0 + j + w); c10 = Load(c1 + j); c11 = Load(c1 + j + w);
                    c20 = Load(c2 + j); c21 = Load(c2 + j + w); c30 = Load(c3 + j); c31 = Load(c3 + j + w);
                }
                else c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector<float>.Zero;
                float* bp = b0 + j;
                for (int p = 0; p < depth; p++, bp += ldb)
                {
                    Vector<float> x0 = Load(bp), x1 = Load(bp + w);
                    var s = new Vector<float>(a0[p]);
                    c00 = Vector.MultiplyAddEstimate(s, x0, c00); c01 = Vector.MultiplyAddEstimate(s, x1, c01);
                    s = new Vector<float>(a1[p]);
                    c10 = Vector.MultiplyAddEstimate(s, x0, c10); c11 = Vector.MultiplyAddEstimate(s, x1, c11);
                    s = new Vector<float>(a2[p]);
                    c20 = Vector.MultiplyAddEstimate(s, x0, c20); c21 = Vector.MultiplyAddEstimate(s, x1, c21);
                    s = new Vector<float>(a3[p]);
                    c30 = Vector.MultiplyAddEstimate(s, x0, c30); c31 = Vector.MultiplyAddEstimate(s, x1, c31);
                }
                Store(c00, c0 + j); Store(c01, c0 + j + w); Store(c10, c1 + j); Store(c11, c1 + j + w);
                Store(c20, c2 + j); Store(c21, c2 + j + w); Store(c30, c3 + j); Store(c31, c3 + j + w);
            }
            if (j < cols)
            {
                // Column tail (< 2 vectors): one row at a time.
                Row1(a0, b0 + j, c0 + j, cols - j, depth, add);
                Row1(a1, b0 + j, c1 + j, cols - j, depth, add);
                Row1(a2, b0 + j, c2 + j, cols - j, depth, add);
                Row1(a3, b0 + j, c3 + j, cols - j, depth, add);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Row1(float* a0, float* b0, float* c0, int cols, int depth, bool add)
        {
            int w = Vector<float>.Count;
            int j = 0;
            for (; j + w <= cols; j += w)
            {
                Vector<float> acc = add ? Load(c0 + j) : Vector<float>.Zero;
                float* bp = b0 + j;
                for (int p = 0; p < depth; p++, bp += ldb)
                    acc = Vector.MultiplyAddEstimate(new Vector<float>(a0[p]), Load(bp), acc);
                Store(acc, c0 + j);
            }
            for (; j < cols; j++)
            {
                float sum = add ? c0[j] : 0f;
                float* bp = b0 + j;
                for (int p = 0; p < depth; p++, bp += ldb) sum += a0[p] * *bp;
                c0[j] = sum;
            }
        }

        private static Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);
        private static void Store(Vector<float> v, float* p) => Unsafe.WriteUnaligned(p, v);
    }
}
