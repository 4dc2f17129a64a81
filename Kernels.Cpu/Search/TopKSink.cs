namespace Cardinal.Kernels.Cpu.Search;

/// <summary>
/// A running top-k per query: a min-heap of k (score, row) whose root is the worst kept, so a block's score
/// costs one compare unless it beats the root. Order: higher score first, then the lower row (so equal
/// scores are reported in index order, whatever thread saw them). NaN scores are never kept.
/// </summary>
internal sealed class TopKSink : IScoreSink
{
    private readonly Neighbour[][] _heaps;
    private readonly int[] _sizes;
    private readonly int _k;

    public TopKSink(int queries, int k)
    {
        _k = k;
        _heaps = new Neighbour[queries][];
        for (int q = 0; q < queries; q++) _heaps[q] = new Neighbour[k];
        _sizes = new int[queries];
    }

    public IEnumerable<Neighbour> Items(int query) => _heaps[query].Take(_sizes[query]);

    public void Accept(long row0, int rows, ReadOnlySpan<float> scores, int ld)
    {
        for (int q = 0; q < _heaps.Length; q++)
        {
            Neighbour[] heap = _heaps[q];
            int size = _sizes[q];
            ReadOnlySpan<float> s = scores.Slice(q * ld, rows);
            for (int j = 0; j < s.Length; j++)
            {
                float score = s[j];
                if (size == _k && !(score > heap[0].Score)) continue;   // also skips NaN; ties go to the earlier row
                var n = new Neighbour(row0 + j, score);
                if (size < _k) { heap[size] = n; SiftUp(heap, size++); }
                else { heap[0] = n; SiftDown(heap, size); }
            }
            _sizes[q] = size;
        }
    }

    /// <summary>a is worse than b: a lower score, or an equal score at a later row.</summary>
    private static bool Worse(in Neighbour a, in Neighbour b) => a.Score < b.Score || (a.Score == b.Score && a.Index > b.Index);

    private static void SiftUp(Neighbour[] heap, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Worse(heap[i], heap[parent])) break;
            (heap[i], heap[parent]) = (heap[parent], heap[i]);
            i = parent;
        }
    }

    private static void SiftDown(Neighbour[] heap, int size)
    {
        int i = 0;
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, worst = i;
            if (l < size && Worse(heap[l], heap[worst])) worst = l;
            if (r < size && Worse(heap[r], heap[worst])) worst = r;
            if (worst == i) return;
            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
