using Cardinal.Kernels.Cpu.Threading;

namespace Cardinal.Kernels.Cpu.Search;

/// <summary>
/// Groups of near-duplicates: rows joined when their inner product (cosine, for normalised rows) is at least
/// the threshold, groups being the connected components (union–find), so A~B and B~C put A, B, C together.
/// Exact and all-pairs: batches of <see cref="QueryBatch"/> rows are scored by <see cref="ExactSearch.Scan"/>
/// against the rows after their batch's start only (each pair once), O(N²·D) in all — minutes per 100,000
/// 512-d vectors on two cores.
/// </summary>
internal static unsafe class NearDuplicates
{
    public const int QueryBatch = 64;

    /// <summary>The groups of two or more rows, each in row order, ordered by their first row.</summary>
    public static List<List<long>> Find(float* vectors, long count, int dim, float threshold, ParallelRunner? parallel = null, CpuPlatform? platform = null)
    {
        parallel ??= ParallelRunner.Sequential;
        var parent = new long[count];
        for (long i = 0; i < count; i++) parent[i] = i;
        long Root(long i)
        {
            while (parent[i] != i) { parent[i] = parent[parent[i]]; i = parent[i]; }
            return i;
        }
        for (long q0 = 0; q0 < count; q0 += QueryBatch)
        {
            int queries = (int)Math.Min(QueryBatch, count - q0);
            long start = q0;
            var sinks = Enumerable.Range(0, parallel.Threads)
                .Select(_ => new ThresholdSink(threshold, (q, row) => start + row <= start + q)).ToArray();
            // Rows before q0 were paired with this batch when their own batch ran.
            ExactSearch.Scan(vectors + q0 * dim, count - q0, dim, new ReadOnlySpan<float>(vectors + q0 * dim, queries * dim), queries, sinks, parallel, platform);
            foreach (var sink in sinks)
                foreach (var (q, row, _) in sink.Hits)
                {
                    long a = Root(q0 + q), b = Root(q0 + row);
                    if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b);
                }
        }
        var groups = new Dictionary<long, List<long>>();
        for (long i = 0; i < count; i++)
        {
            long r = Root(i);
            if (!groups.TryGetValue(r, out var g)) groups[r] = g = [];
            g.Add(i);
        }
        return groups.Values.Where(g => g.Count > 1).OrderBy(g => g[0]).ToList();
    }
}
