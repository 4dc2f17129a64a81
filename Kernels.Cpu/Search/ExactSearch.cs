using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;

namespace Cardinal.Kernels.Cpu.Search;

/// <summary>One search answer: the row of the index and its inner product with the query.</summary>
internal readonly record struct Neighbour(long Index, float Score);

/// <summary>Receives one block of scores: query q's score for index row <c>row0 + j</c> is <c>scores[q·ld + j]</c>, j &lt; rows.</summary>
internal interface IScoreSink
{
    void Accept(long row0, int rows, ReadOnlySpan<float> scores, int ld);
}

/// <summary>
/// Exact nearest neighbours by inner product (cosine over normalised vectors), with the engine's packed SGEMM
/// (up to <see cref="DotRowsMaxQueries"/> queries: its row dot products): the Q queries are packed once as the GEMM's A ([MR]-row panels, so one query wastes at most MR−1 rows of a
/// tile, not NR−1 columns); each block of <see cref="BlockRows"/> index rows is B, packed transposed straight
/// from the row-major vectors (<see cref="RowsAsColumns"/>), giving a Q×rows block of scores that a sink
/// consumes (a running top-k, or a threshold). Blocks are spread over the runner's threads, each with its own
/// scratch, scores and sink, so the GEMM itself runs sequentially inside a block. Twin:
/// <see cref="Reference.ExactSearchReference"/>.
/// </summary>
internal static unsafe class ExactSearch
{
    /// <summary>
    /// Index rows per GEMM: 4,096 rows × 64 queries of scores is 1 MiB per thread, and a block is enough work
    /// (4,096 × 512 × 2 = 4 MFLOP per query) that the per-block packing of the queries' tiles is amortised.
    /// </summary>
    public const int BlockRows = 4096;

    /// <summary>
    /// Up to this many queries, a block is scored by row dot products (the platform's Dot, each row read once
    /// for all queries) instead of the GEMM — the same rule as a classifier head at small batch (Linear's
    /// DotRows). One query through the GEMM would pack every index row into B panels (a transposing copy of the
    /// whole index) and fill one row of each 8-row tile: measured on 100,000 × 512 (2 threads, loaded VM) the GEMM
    /// took 128 ms for one query where FAISS's own loop took 59 ms.
    /// </summary>
    public const int DotRowsMaxQueries = 8;

    /// <summary>
    /// The <paramref name="k"/> rows of <paramref name="vectors"/> (count × dim, row-major) with the largest inner
    /// product with each query, best first; equal scores in row order. Fewer when the index has fewer rows.
    /// </summary>
    public static Neighbour[][] TopK(float* vectors, long count, int dim, ReadOnlySpan<float> queries, int queryCount, int k,
        ParallelRunner? parallel = null, CpuPlatform? platform = null)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        parallel ??= ParallelRunner.Sequential;
        var sinks = new TopKSink[parallel.Threads];
        for (int t = 0; t < sinks.Length; t++) sinks[t] = new TopKSink(queryCount, (int)Math.Min(k, Math.Max(count, 1)));
        Scan(vectors, count, dim, queries, queryCount, sinks, parallel, platform);
        var result = new Neighbour[queryCount][];
        for (int q = 0; q < queryCount; q++)
            result[q] = sinks.SelectMany(s => s.Items(q)).OrderByDescending(n => n.Score).ThenBy(n => n.Index).Take(k).ToArray();
        return result;
    }

    /// <inheritdoc cref="TopK(float*, long, int, ReadOnlySpan{float}, int, int, ParallelRunner?, CpuPlatform?)"/>
    public static Neighbour[][] TopK(ReadOnlySpan<float> vectors, int dim, ReadOnlySpan<float> queries, int queryCount, int k,
        ParallelRunner? parallel = null, CpuPlatform? platform = null)
    {
        if (dim < 1 || vectors.Length % dim != 0) throw new ArgumentException($"{vectors.Length} floats are not whole {dim}-float rows.", nameof(vectors));
        fixed (float* v = vectors) return TopK(v, vectors.Length / dim, dim, queries, queryCount, k, parallel, platform);
    }

    /// <summary>
    /// Scores every index row against every query, block by block, handing each block to the sink of the
    /// thread that computed it (<paramref name="sinks"/>: one per thread of <paramref name="parallel"/>).
    /// </summary>
    public static void Scan(float* vectors, long count, int dim, ReadOnlySpan<float> queries, int queryCount, IReadOnlyList<IScoreSink> sinks,
        ParallelRunner? parallel = null, CpuPlatform? platform = null)
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim));
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (queryCount < 1 || (long)queryCount * dim != queries.Length)
            throw new ArgumentException($"{queryCount} queries of {dim} floats need {(long)queryCount * dim} floats; {queries.Length} given.", nameof(queries));
        parallel ??= ParallelRunner.Sequential;
        platform ??= CpuPlatform.Default;
        if (sinks.Count < parallel.Threads) throw new ArgumentException($"One sink per thread ({parallel.Threads}) is needed.", nameof(sinks));
        if (count == 0) return;
        var packed = queryCount <= DotRowsMaxQueries ? null : new PackedMatrix(queries, queryCount, dim, dim, platform);
        float[] plain = queries.ToArray();
        long blocks = (count + BlockRows - 1) / BlockRows;
        if (blocks > int.MaxValue) throw new ArgumentException($"{count} rows are too many for one scan.", nameof(count));
        long scratchBytes = packed is null ? 0 : Sgemm.ScratchBytesPerThread(queryCount, BlockRows, platform, 1, packedA: true);
        var scratch = new WorkspaceBuffer[parallel.Threads];
        var scores = new float[parallel.Threads][];
        for (int t = 0; t < parallel.Threads; t++)
        {
            scratch[t] = new WorkspaceBuffer(scratchBytes);
            scores[t] = GC.AllocateUninitializedArray<float>(queryCount * BlockRows);
        }
        fixed (float* q = plain)
            parallel.For((int)blocks, new BlockJob(vectors, count, dim, packed, q, queryCount, platform, scratch, scores, sinks, parallel));
    }

    private readonly struct BlockJob(float* vectors, long count, int dim, PackedMatrix? packed, float* queries, int queryCount, CpuPlatform platform,
        WorkspaceBuffer[] scratch, float[][] scores, IReadOnlyList<IScoreSink> sinks, ParallelRunner parallel) : IParallelBody
    {
        public void Invoke(int block)
        {
            int worker = parallel.CurrentWorker;
            long row0 = (long)block * BlockRows;
            int rows = (int)Math.Min(BlockRows, count - row0);
            float[] mine = scores[worker];
            if (packed is null)
                fixed (float* s = mine)
                    for (int j = 0; j < rows; j++)
                    {
                        float* row = vectors + (row0 + j) * dim;
                        for (int q = 0; q < queryCount; q++) s[(long)q * BlockRows + j] = platform.Dot(queries + (long)q * dim, row, dim);
                    }
            else
                // scores[q, j] = Σ_p query[q, p] · vectors[row0 + j, p]: B = this block's rows, transposed as packed.
                Sgemm.Multiply(packed, rows, new RowsAsColumns(vectors + row0 * dim, dim), mine, BlockRows, accumulate: false,
                    ParallelRunner.Sequential, default, scratch[worker].Workspace);
            sinks[worker].Accept(row0, rows, mine, BlockRows);
        }
    }
}

/// <summary>
/// B = Vᵀ for row-major vectors V [n][ld]: B's column j is V's row j. Packs B's panels
/// [nc/NR][kc][NR] (columns past nc zero) by reading each vector's kc floats in order and scattering them
/// down its panel column; the panel (kc × NR floats, ≤ 32 KiB) stays in L1 while it is written.
/// </summary>
internal readonly unsafe struct RowsAsColumns(float* rows, int ld) : IBPanels
{
    public void Pack(int p0, int kc, int col0, int nc, int nr, float* dst)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            for (int c = 0; c < cols; c++)
            {
                float* src = rows + (long)(col0 + j0 + c) * ld + p0;
                float* d = dst + c;
                for (int p = 0; p < kc; p++) d[(long)p * nr] = src[p];
            }
            for (int c = cols; c < nr; c++)
                for (int p = 0; p < kc; p++) dst[(long)p * nr + c] = 0f;
            dst += (long)kc * nr;
        }
    }
}
