using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// The packed SGEMM against its plain twin on random shapes (1s, primes, block edges, remainders), on every
/// instruction-set tier this machine can execute — the narrower tiers forced through <see cref="CpuPlatform.Create"/>.
/// </summary>
[TestFixture]
public class SgemmTests
{
    private static readonly int[] Sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 255, 256, 257];

    public static IEnumerable<TestCaseData> Shapes()
    {
        var random = new Random(2024);
        foreach (CpuIsa isa in CpuIsas.Supported)
        {
            for (int i = 0; i < 25; i++)
                yield return new TestCaseData(Pick(random), Pick(random), Pick(random), random.Next(2) == 1, 1 + random.Next(2), isa);
            yield return new TestCaseData(64, 3136, 27, false, 2, isa).SetName($"Multiply_Conv1LikeShape_{isa}");
            yield return new TestCaseData(130, 300, 600, true, 2, isa).SetName($"Multiply_AcrossKBlocks_Accumulating_{isa}");
        }
    }

    private static int Pick(Random r) => Sizes[r.Next(Sizes.Length)];

    [TestCaseSource(nameof(Shapes))]
    public void Multiply_RandomShape_MatchesReference(int m, int n, int k, bool accumulate, int threads, CpuIsa isa)
    {
        var random = new Random(m * 7919 + n * 31 + k);
        // Leading dimensions wider than the matrix, and a NaN guard tail after C, catch stray reads and writes.
        int lda = k + 3, ldb = n + 1, ldc = n + 2;
        float[] a = Random(random, m * lda), b = Random(random, k * ldb);
        float[] c = Random(random, m * ldc + 8), expected = (float[])c.Clone();
        for (int i = m * ldc; i < c.Length; i++) c[i] = expected[i] = float.NaN;

        var table = CpuPlatform.Create(isa);
        Assert.That(table.Isa, Is.EqualTo(isa), "the forced tier must be the one that runs");
        Sgemm.Multiply(m, n, k, a, lda, b, ldb, c, ldc, accumulate, new ParallelRunner(threads), table);
        SgemmReference.Multiply(m, n, k, a, lda, b, ldb, expected, ldc, accumulate);

        for (int i = 0; i < c.Length; i++)
        {
            if (float.IsNaN(expected[i])) { Assert.That(c[i], Is.NaN, $"{table}: guard at {i} overwritten (m={m} n={n} k={k})"); continue; }
            Assert.That(c[i], Is.EqualTo(expected[i]).Within(1e-4 * (1 + Math.Abs(expected[i]))),
                $"{table} m={m} n={n} k={k} accumulate={accumulate} threads={threads}: C[{i / ldc},{i % ldc}]");
        }
    }

    [TestCaseSource(nameof(Shapes))]
    public void Multiply_PrepackedA_MatchesReference(int m, int n, int k, bool accumulate, int threads, CpuIsa isa)
    {
        var random = new Random(m * 31 + n * 7 + k);
        int ldb = n + 1, ldc = n + 2;
        float[] a = Random(random, m * k), b = Random(random, k * ldb);
        float[] c = Random(random, m * ldc), expected = (float[])c.Clone();
        var packed = new PackedMatrix(a, m, k, k, CpuPlatform.Create(isa));
        Sgemm.Multiply(packed, n, b, ldb, c, ldc, accumulate, new ParallelRunner(threads));
        SgemmReference.Multiply(m, n, k, a, k, b, ldb, expected, ldc, accumulate);
        for (int i = 0; i < c.Length; i++)
            Assert.That(c[i], Is.EqualTo(expected[i]).Within(1e-4 * (1 + Math.Abs(expected[i]))), $"{packed.Platform} m={m} n={n} k={k}: element {i}");
    }

    [TestCaseSource(nameof(Shapes))]
    public unsafe void Multiply_WithEpilogue_MatchesReferenceThenBiasResidualRelu(int m, int n, int k, bool accumulate, int threads, CpuIsa isa)
    {
        var random = new Random(m * 13 + n * 101 + k * 3);
        int ldc = n + 2;
        float[] a = Random(random, m * k), b = Random(random, k * n), bias = Random(random, m), residual = Random(random, m * ldc);
        float[] c = Random(random, m * ldc + 8), expected = (float[])c.Clone();
        for (int i = m * ldc; i < c.Length; i++) c[i] = expected[i] = float.NaN;
        var packed = new PackedMatrix(a, m, k, k, CpuPlatform.Create(isa));
        fixed (float* pBias = bias, pResidual = residual)
            Sgemm.Multiply(packed, n, b, n, c, ldc, accumulate, new ParallelRunner(threads), new GemmEpilogue(packed.Platform, pBias, pResidual, relu: true));
        SgemmReference.Multiply(m, n, k, a, k, b, n, expected, ldc, accumulate);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                expected[i * ldc + j] = Math.Max(0f, expected[i * ldc + j] + bias[i] + residual[i * ldc + j]);
        for (int i = 0; i < c.Length; i++)
        {
            if (float.IsNaN(expected[i])) continue; // the guard tail, checked below
            Assert.That(c[i], Is.EqualTo(expected[i]).Within(1e-4 * (1 + Math.Abs(expected[i]))), $"{packed.Platform} m={m} n={n} k={k}: C[{i / ldc},{i % ldc}]");
        }
        for (int i = m * ldc; i < c.Length; i++) Assert.That(c[i], Is.NaN, $"guard at {i} overwritten");
    }

    [Test]
    public void Tiers_ThisMachine_ListsWhatRuns()
    {
        TestContext.Progress.WriteLine($"SGEMM tiers on this machine: {string.Join(", ", CpuIsas.Supported.Select(i => CpuPlatform.Create(i).ToString()))}; default {CpuPlatform.Default}");
        Assert.That(CpuIsas.Supported, Does.Contain(CpuIsa.Scalar).And.Contain(CpuIsa.Portable));
    }

    [Test]
    public void Multiply_KZero_ClearsOrKeeps()
    {
        float[] c = [1, 2, 3, 4];
        Sgemm.Multiply(2, 2, 0, [], 0, [], 2, c, 2, accumulate: true, null, CpuPlatform.Default);
        Assert.That(c, Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        Sgemm.Multiply(2, 2, 0, [], 0, [], 2, c, 2, accumulate: false, null, CpuPlatform.Default);
        Assert.That(c, Is.EqualTo(new float[4]));
    }

    [Test]
    public void Multiply_BufferTooSmall_Throws() =>
        Assert.That(() => Sgemm.Multiply(4, 4, 4, new float[15], 4, new float[16], 4, new float[16], 4, false, null, CpuPlatform.Default), Throws.ArgumentException);

    private static float[] Random(Random r, int length) => Enumerable.Range(0, length).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
}
