using Cardinal.Kernels.Cpu.Search;

namespace Cardinal.Kernels.Cpu.Reference;

/// <summary>The plain twin of <see cref="ExactSearch"/>: every inner product in double, one at a time, then a full sort.</summary>
internal static class ExactSearchReference
{
    public static Neighbour[][] TopK(ReadOnlySpan<float> vectors, int dim, ReadOnlySpan<float> queries, int queryCount, int k)
    {
        int count = vectors.Length / dim;
        var result = new Neighbour[queryCount][];
        for (int q = 0; q < queryCount; q++)
        {
            var all = new Neighbour[count];
            for (int i = 0; i < count; i++)
            {
                double dot = 0;
                for (int p = 0; p < dim; p++) dot += (double)queries[q * dim + p] * vectors[i * dim + p];
                all[i] = new Neighbour(i, (float)dot);
            }
            result[q] = all.OrderByDescending(n => n.Score).ThenBy(n => n.Index).Take(k).ToArray();
        }
        return result;
    }
}
