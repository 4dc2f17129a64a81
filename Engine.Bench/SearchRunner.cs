using System.Diagnostics;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Vectors;
using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Search;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Tensors;

namespace Cardinal.Bench;

/// <summary>
/// search INDEX QUERIES.npy [--top 10] [--repeat 5] [--threads N] [--out PREFIX]: exact top-k latency over an
/// opened index (open and checksum not counted) for the first query alone and for all queries in one batch,
/// median of the repeats; PREFIX.ids.npy gets the batch's neighbours, for the comparison with FAISS
/// (tools/index-bench/bench.sh runs both).
/// </summary>
public static class SearchRunner
{
    public static unsafe int Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: search INDEX QUERIES.npy [--top 10] [--repeat 5] [--threads N] [--out PREFIX]"); return 2; }
        int top = CompareRunner.Option(args, "--top", 10), repeat = CompareRunner.Option(args, "--repeat", 5);
        int threads = CompareRunner.Option(args, "--threads", Environment.ProcessorCount);
        int outAt = Array.IndexOf(args, "--out");
        string? prefix = outAt >= 0 ? args[outAt + 1] : null;
        var clock = Stopwatch.StartNew();
        using var index = VectorIndex.Open(args[0]);
        double openMs = clock.Elapsed.TotalMilliseconds;
        Tensor q = NpyFile.Read(args[1]);
        int count = q.Dims[0], dim = q.Dims[1];
        float[] queries = new float[count * dim];
        for (int i = 0; i < count; i++) VectorIndexFile.Normalise(q.Floats.Slice(i * dim, dim), queries.AsSpan(i * dim, dim));
        using var parallel = new ParallelRunner(threads);

        double Median(float[] batch, int n, out Neighbour[][] answer)
        {
            answer = [];
            var times = new List<double>();
            for (int r = 0; r < repeat + 1; r++)   // the first run warms the JIT and the page cache, and is not counted
            {
                clock.Restart();
                answer = ExactSearch.TopK(index.Vectors, index.Count, index.Dimension, batch.AsSpan(0, n * dim), n, top, parallel);
                if (r > 0) times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return times[times.Count / 2];
        }
        double one = Median(queries, 1, out _);
        double all = Median(queries, count, out var answers);
        Console.WriteLine($"{{\"cardinal\": \"{CpuPlatform.Default}\", \"threads\": {threads}, \"open_ms\": {openMs:F1}, \"one_ms\": {one:F1}, \"batch_ms\": {all:F1}, \"batch\": {count}}}");
        if (prefix is not null)
        {
            var ids = new long[count * top];
            for (int i = 0; i < count; i++)
                for (int j = 0; j < answers[i].Length; j++) ids[i * top + j] = answers[i][j].Index;
            var t = Tensor.Create(ElementType.Int64, [count, top]);
            ids.CopyTo(t.Span<long>());
            NpyFile.Write(prefix + ".ids.npy", t);
        }
        return 0;
    }
}
