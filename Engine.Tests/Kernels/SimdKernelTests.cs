using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// The platform's small vector kernels (ReLU, dot, masked copy, row multiply-add, row max, the epilogue tiles)
/// against plain loops, on every tier this machine runs (the lower ones forced), over every length 0–67 so each
/// width's whole vectors and tails are crossed, with a NaN guard after every output.
/// </summary>
[TestFixture]
public unsafe class SimdKernelTests
{
    private const int Guard = 16;

    public static IEnumerable<CpuIsa> Tiers => CpuIsas.Supported;

    private static float[] Values(Random r, int length) => Enumerable.Range(0, length).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray();

    private static float[] Guarded(int length)
    {
        var y = new float[length + Guard];
        Array.Fill(y, float.NaN);
        return y;
    }

    private static void AssertGuard(float[] y, int length, string where) =>
        Assert.That(y.AsSpan(length).ToArray(), Is.All.NaN, $"{where}: wrote past the output");

    [TestCaseSource(nameof(Tiers))]
    public void ElementwiseKernels_EveryLength_MatchPlainLoops(CpuIsa isa)
    {
        CpuPlatform p = CpuPlatform.Create(isa);
        var random = new Random((int)isa);
        for (int n = 0; n < 68; n++)
        {
            string where = $"{p}, length {n}";
            float[] x = Values(random, n), other = Values(random, n);
            if (n > 3) x[n / 2] = float.NaN;
            float weight = (float)random.NextDouble();
            uint[] mask = Enumerable.Range(0, n).Select(i => random.Next(2) == 0 ? 0u : ~0u).ToArray();
            float[] relu = Guarded(n), copy = Guarded(n), row = Guarded(n), max = Guarded(n);
            other.CopyTo(row, 0);
            other.CopyTo(max, 0);
            fixed (float* px = x, po = other, pr = relu, pc = copy, prow = row, pm = max)
            fixed (uint* pmask = mask)
            {
                p.Relu(px, pr, n);
                p.MaskedCopy(px, pmask, pc, n);
                p.MultiplyAddRow(prow, px, weight, n);
                p.MaxRow(pm, px, n);
            }
            for (int i = 0; i < n; i++)
            {
                Assert.That(relu[i], Is.EqualTo(MathF.Max(x[i], 0f)), $"{where}: relu[{i}]");
                Assert.That(copy[i], Is.EqualTo(mask[i] != 0 ? x[i] : 0f), $"{where}: masked copy[{i}]");
                Assert.That(row[i], Is.EqualTo(float.IsNaN(x[i]) ? float.NaN : other[i] + weight * x[i]).Within(1e-5f), $"{where}: row[{i}]");
                Assert.That(max[i], Is.EqualTo(MathF.Max(other[i], x[i])), $"{where}: max[{i}]");
            }
            foreach (var (y, name) in new[] { (relu, "relu"), (copy, "masked copy"), (row, "row"), (max, "max") }) AssertGuard(y, n, $"{where}, {name}");
        }
    }

    [TestCaseSource(nameof(Tiers))]
    public void Dot_EveryLength_MatchesDoubleSum(CpuIsa isa)
    {
        CpuPlatform p = CpuPlatform.Create(isa);
        var random = new Random(100 + (int)isa);
        for (int n = 0; n < 68; n++)
        {
            float[] x = Values(random, n), y = Values(random, n);
            double expected = 0;
            for (int i = 0; i < n; i++) expected += (double)x[i] * y[i];
            float got;
            fixed (float* px = x, py = y) got = p.Dot(px, py, n);
            Assert.That(got, Is.EqualTo(expected).Within(1e-5 * (1 + n)), $"{p}, length {n}");
        }
    }

    [TestCaseSource(nameof(Tiers))]
    public void Dot4_EveryLength_BitIdenticalToFourDots(CpuIsa isa)
    {
        // The classifier's batched path: its sums must not depend on how many rows share a pass.
        CpuPlatform p = CpuPlatform.Create(isa);
        var random = new Random(150 + (int)isa);
        for (int n = 0; n < 68; n++)
        {
            float[] y = Values(random, n);
            float[][] x = [Values(random, n), Values(random, n), Values(random, n), Values(random, n)];
            var sums = new float[4];
            fixed (float* py = y, p0 = x[0], p1 = x[1], p2 = x[2], p3 = x[3], ps = sums)
            {
                p.Dot4(py, p0, p1, p2, p3, n, ps);
                float*[] rows = [p0, p1, p2, p3];
                for (int r = 0; r < 4; r++)
                    Assert.That(BitConverter.SingleToInt32Bits(sums[r]), Is.EqualTo(BitConverter.SingleToInt32Bits(p.Dot(rows[r], py, n))), $"{p}, length {n}, row {r}");
            }
        }
    }

    [TestCaseSource(nameof(Tiers))]
    public void EpilogueTiles_EveryWidthAndFlag_MatchScalarEpilogue(CpuIsa isa)
    {
        CpuPlatform p = CpuPlatform.Create(isa);
        var random = new Random(200 + (int)isa);
        foreach (var flags in new[] { new ConvEpilogue(false, false), new ConvEpilogue(false, true), new ConvEpilogue(true, false), new ConvEpilogue(true, true) })
            for (int cols = 0; cols < 40; cols += 3)
            {
                const int rows = 3;
                int ld = cols + 5, length = rows * ld;
                float[] tile = Values(random, length), residual = Values(random, length), bias = Values(random, rows);
                float[] expected = (float[])tile.Clone();
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                        expected[r * ld + c] = Cardinal.Epilogues.EpilogueMath.Apply(tile[r * ld + c], bias[r], residual[r * ld + c], flags.Residual, flags.Relu);
                fixed (float* pt = tile, pb = bias, pr = residual)
                    p.EpilogueTile(flags)(pt, ld, pb, flags.Residual ? pr : null, ld, rows, cols);
                Assert.That(tile, Is.EqualTo(expected), $"{p}, {flags}, {cols} columns (the columns past them untouched)");
            }
    }
}
