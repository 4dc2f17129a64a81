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
/// alpha, beta and C broadcast or whole. And the dot-product path's rows bit for bit alike whatever the batch: a row summed
/// alone (batch 1, the rows left over) and among four rows at once (batch 4 and 8), as Linear's DotBody promises.
/// </summary>
[TestFixture]
public class GemmKernelTests
{
    [Test]
    public void Run_EveryTransposeAndConstness_MatchesTwin(
        [Values(false, true)] bool transA, [Values(false, true)] bool transB, [Values(false, true)] bool constant,
        [Values(1, 3, 7, 12)] int m, [Values(false, true)] bool wholeC, [ValueSource(typeof(CpuIsas), nameof(CpuIsas.Supported))] CpuIsa isa)
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

    [Test]
    public void Run_DotRows_EachRowTheSameBitsWhateverTheBatch([Values(37, 2048)] int k, [ValueSource(typeof(CpuIsas), nameof(CpuIsas.Supported))] CpuIsa isa)
    {
        // 70 columns: a task of 64 and one of 6.
        const int n = 70;
        var random = new Random(k);
        Tensor rows = Random(random, [8, k]), b = Random(random, [n, k]);
        using var parallel = new ParallelRunner(2);
        var platform = CpuPlatform.Create(isa);
        float[] Answer(int m)
        {
            var a = Tensor.Create(ElementType.Float32, [m, k]);
            rows.Floats[..(m * k)].CopyTo(a.Floats);
            var kernel = new Linear.GemmKernel(new GemmOp(1f, 0f, false, true), [m, k], [n, k], null, [m, n], null, b, parallel, platform);
            Assert.That(kernel.Description, Does.StartWith("row dot products"));
            var workspace = new Cardinal.Planning.WorkspaceBuffer(kernel.WorkspaceBytes);
            var y = Tensor.Create(ElementType.Float32, [m, n]);
            kernel.Run([a, b], [y], workspace.Workspace);
            GC.KeepAlive(workspace);
            return y.Floats.ToArray();
        }
        float[] one = Answer(1), five = Answer(5), eight = Answer(8);
        for (int j = 0; j < n; j++)
        {
            Assert.That(BitConverter.SingleToInt32Bits(five[j]), Is.EqualTo(BitConverter.SingleToInt32Bits(one[j])), $"row 0, column {j}: batch 5 against batch 1 on {isa}");
            Assert.That(BitConverter.SingleToInt32Bits(eight[j]), Is.EqualTo(BitConverter.SingleToInt32Bits(one[j])), $"row 0, column {j}: batch 8 against batch 1 on {isa}");
            Assert.That(BitConverter.SingleToInt32Bits(five[4 * n + j]), Is.EqualTo(BitConverter.SingleToInt32Bits(eight[4 * n + j])), $"row 4, column {j}: batch 5 (a row left over) against batch 8 on {isa}");
        }
    }

    private static Tensor Random(Random random, int[] dims)
    {
        var t = Tensor.Create(ElementType.Float32, dims);
        for (int i = 0; i < t.Length; i++) t.Floats[i] = (float)(random.NextDouble() * 2 - 1);
        return t;
    }
}
