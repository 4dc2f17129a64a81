using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Search;
using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Tests.Vectors;

/// <summary>Exact top-k by the packed SGEMM against its twin (double dot products, full sort), on every ISA tier.</summary>
[TestFixture]
public class ExactSearchTests
{
    internal static float[] RandomUnitRows(int rows, int dim, int seed)
    {
        var random = new Random(seed);
        var data = new float[rows * dim];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int p = 0; p < dim; p++) { float v = (float)(random.NextDouble() * 2 - 1); data[r * dim + p] = v; sum += v * v; }
            float inv = (float)(1 / Math.Sqrt(sum));
            for (int p = 0; p < dim; p++) data[r * dim + p] *= inv;
        }
        return data;
    }

    /// <summary>
    /// Same neighbours as the twin. Float and double sums can swap two rows whose scores differ by rounding:
    /// a different row is accepted only when its score equals the twin's at that rank within 1e-5.
    /// </summary>
    internal static void AssertSameNeighbours(Neighbour[] actual, Neighbour[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[i].Score, Is.EqualTo(expected[i].Score).Within(1e-5f), $"{what}: score at rank {i}");
            if (actual[i].Index == expected[i].Index) continue;
            // A swap: the row must be in the twin's list with the same score, or tie its last score (a boundary swap).
            var twin = expected.Where(e => e.Index == actual[i].Index).ToList();
            bool explained = twin.Count == 1 ? Math.Abs(twin[0].Score - actual[i].Score) < 1e-5 : Math.Abs(expected[^1].Score - actual[i].Score) < 1e-5;
            Assert.That(explained, Is.True, $"{what}: rank {i} is row {actual[i].Index} ({actual[i].Score}), the twin's is {expected[i].Index} ({expected[i].Score})");
        }
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        // Row counts around the 4,096-row block, query counts around the tiles' MR (4, 6, 8), odd dimensions.
        yield return new TestCaseData(1, 3, 1, 5);
        yield return new TestCaseData(10, 17, 1, 20);
        yield return new TestCaseData(4096, 64, 1, 10);
        yield return new TestCaseData(4097, 33, 7, 10);
        yield return new TestCaseData(9000, 512, 9, 10);
        yield return new TestCaseData(5000, 100, 64, 3);
    }

    [TestCaseSource(nameof(Cases))]
    public void TopK_EveryTierAndThreadCount_MatchesTwin(int rows, int dim, int queries, int k)
    {
        float[] vectors = RandomUnitRows(rows, dim, seed: rows + dim);
        float[] q = RandomUnitRows(queries, dim, seed: 7 * queries + 1);
        var expected = ExactSearchReference.TopK(vectors, dim, q, queries, k);
        foreach (CpuIsa isa in CpuIsas.Supported)
            foreach (int threads in (int[])[1, 2, 3])
            {
                using var parallel = new ParallelRunner(threads);
                var actual = ExactSearch.TopK(vectors, dim, q, queries, k, parallel, CpuPlatform.Create(isa));
                for (int i = 0; i < queries; i++)
                    AssertSameNeighbours(actual[i], expected[i], $"{isa.Name()} {threads} threads, {rows}×{dim}, query {i} of {queries}, k {k}");
            }
    }

    [Test]
    public void TopK_EqualScores_ComeInRowOrder_AndKAboveCountGivesAll()
    {
        // Rows 0, 2, 4 are the same vector: equal scores must be listed by row, whichever thread saw them.
        float[] vectors = [1, 0, 0, 1, 1, 0, 0.6f, 0.8f, 1, 0];
        using var parallel = new ParallelRunner(2);
        var top = ExactSearch.TopK(vectors, 2, [1f, 0f], 1, 10, parallel)[0];
        Assert.That(top.Select(n => n.Index), Is.EqualTo(new long[] { 0, 2, 4, 3, 1 }));
        Assert.That(top.Select(n => n.Score), Is.EqualTo(new[] { 1f, 1f, 1f, 0.6f, 0f }));
    }

    [Test]
    public void TopK_EmptyIndex_GivesNothing_AndBadArgumentsAreRefused()
    {
        Assert.That(ExactSearch.TopK([], 4, [1f, 0, 0, 0], 1, 3)[0], Is.Empty);
        Assert.Throws<ArgumentException>(() => ExactSearch.TopK(new float[8], 4, new float[3], 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExactSearch.TopK(new float[8], 4, new float[4], 1, 0));
    }

    [Test]
    public unsafe void NearDuplicates_MatchAllPairsByHand()
    {
        // 300 random rows, with planted near-copies: 5 ~ 250 ~ 299 (a chain through 250), 17 ~ 18.
        const int rows = 300, dim = 24;
        float[] v = RandomUnitRows(rows, dim, seed: 11);
        void Copy(int from, int to, float noise)
        {
            for (int p = 0; p < dim; p++) v[to * dim + p] = v[from * dim + p] + (p % 3 == 0 ? noise : 0);
            Cardinal.Formats.Vectors.VectorIndexFile.Normalise(v.AsSpan(to * dim, dim), v.AsSpan(to * dim, dim));
        }
        Copy(5, 250, 0.05f); Copy(250, 299, 0.05f); Copy(17, 18, 0.02f);
        const float threshold = 0.97f;
        // By hand: every pair's double dot product, components by repeated merging.
        var groupOf = Enumerable.Range(0, rows).ToArray();
        for (int i = 0; i < rows; i++)
            for (int j = i + 1; j < rows; j++)
            {
                double dot = 0;
                for (int p = 0; p < dim; p++) dot += (double)v[i * dim + p] * v[j * dim + p];
                if (dot < threshold) continue;
                int a = groupOf[i], b = groupOf[j];
                for (int r = 0; r < rows; r++) if (groupOf[r] == b) groupOf[r] = a;
            }
        var expected = Enumerable.Range(0, rows).GroupBy(r => groupOf[r]).Where(g => g.Count() > 1)
            .Select(g => g.Select(r => (long)r).ToList()).OrderBy(g => g[0]).ToList();
        Assert.That(expected.Select(g => g.Count), Is.EqualTo(new[] { 3, 2 }), "the planted groups");
        using var parallel = new ParallelRunner(2);
        fixed (float* p = v)
            Assert.That(NearDuplicates.Find(p, rows, dim, threshold, parallel), Is.EqualTo(expected));
    }
}
