using Cardinal.Kernels.Cpu;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Ops;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// The prepared Gemm against a plain double-precision twin: every transpose pair, with A and B as constants
/// (transposed once, when the kernel is made) and as computed values (transposed per run into a pooled
/// buffer), at M = 3 and 7 (transB's dot-product path: one row, then four at a time and three) and M = 12 (SGEMM),
/// alpha, beta and C broadcast or whole.
/// </summary>
[TestFixture]
public class GemmKernelTests
{
    [Test]
    public void Run_EveryTransposeAndConstness_MatchesTwin(
        [Values(false, true)] bool transA, [Values(false, true)] bool transB, [Values(false, true)] bool constant,
        [Values(3, 7, 12)] int m, [Values(false, true)] bool wholeC, [ValueSource(typeof(CpuIsas), nameof(CpuIsas.Supported))] CpuIsa isa)
    {
        const int n = 10, k = 37;
        const float alpha = 0.5f, beta = 2f;
        var random = new Random(m * 131 + (transA ? 1 : 0) + (transB ? 2 : 0) + (constant ? 4 : 0));
        int[] aDims = transA ? [k, m] : [m, k], bDims = transB ? [n, k] : [k, n], cDims = wholeC ? [m, n] : [n];
        Tensor a = Random(random, aDims), b = Random(random, bDims), c = Random(random, cDims);
        using var parallel = new ParallelRunner(2);
        var op = new GemmOp(alpha, beta, transA, transB);
        var kernel = new Linear.GemmKernel(op, aDims, bDims, cDims, [m, n], constant ? a : null, constant ? b : null, parallel, CpuPlatform.Create(isa));
        var workspace = new Cardinal.Planning.WorkspaceBuffer(kernel.WorkspaceBytes);

        var expected = Tensor.Create(ElementType.Float32, [m, n]);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(transA ? a.Floats[p * m + i] : a.Floats[i * k + p]) * (transB ? b.Floats[j * k + p] : b.Floats[p * n + j]);
                expected.Floats[i * n + j] = (float)(alpha * sum + beta * (wholeC ? c.Floats[i * n + j] : c.Floats[j]));
            }

        for (int run = 0; run < 2; run++)
        {
            var y = Tensor.Create(ElementType.Float32, [m, n]);
            y.Floats.Fill(float.NaN);
            kernel.Run([a, b, c], [y], workspace.Workspace);
            GC.KeepAlive(workspace);
            TensorAssert.Close(expected, y, 1e-5, 1e-5, $"{kernel.Description} on {isa}, run {run}");
        }
    }

    private static Tensor Random(Random random, int[] dims)
    {
        var t = Tensor.Create(ElementType.Float32, dims);
        for (int i = 0; i < t.Length; i++) t.Floats[i] = (float)(random.NextDouble() * 2 - 1);
        return t;
    }
}
