namespace Cardinal.Kernels.Cpu.Search;

/// <summary>
/// Collects (query, row, score) with score ≥ a threshold, for near-duplicate search. <see cref="Skip"/>
/// decides pairs not to keep (a query against itself, or each pair once).
/// </summary>
internal sealed class ThresholdSink(float threshold, Func<int, long, bool>? skip = null) : IScoreSink
{
    public List<(int Query, long Row, float Score)> Hits { get; } = [];

    public Func<int, long, bool>? Skip { get; } = skip;

    public void Accept(long row0, int rows, ReadOnlySpan<float> scores, int ld)
    {
        int queries = scores.Length / ld;
        for (int q = 0; q < queries; q++)
        {
            ReadOnlySpan<float> s = scores.Slice(q * ld, rows);
            for (int j = 0; j < s.Length; j++)
                if (s[j] >= threshold && (Skip is null || !Skip(q, row0 + j))) Hits.Add((q, row0 + j, s[j]));
        }
    }
}
