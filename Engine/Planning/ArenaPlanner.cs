namespace Cardinal.Planning;

/// <summary>
/// Places every value a run computes (graph inputs and step outputs; constants live elsewhere) in one
/// arena by liveness (<see cref="Lifetimes"/>): two values share bytes only if their lives do not overlap. Greedy, largest first, each at the lowest offset that fits — the classic heuristic.
/// </summary>
internal static class ArenaPlanner
{
    /// <summary>Offsets are multiples of this many elements (64 floats = 256 bytes: every device's alignment).</summary>
    public const int Alignment = 64;

    public sealed record Layout(long[] Offsets, long TotalElements)
    {
        /// <summary>Offset of value <paramref name="id"/>, or −1 when it is not in the arena (a constant).</summary>
        public long OffsetOf(int id) => Offsets[id];
    }

    public static Layout Plan(ExecutionPlan plan)
    {
        int count = plan.Values.Count;
        // The device copies views into their own buffers, so every value is its own owner.
        var life = Lifetimes.Compute(plan, viewsAlias: false);
        int[] first = life.First, last = life.Last;
        var offsets = Enumerable.Repeat(-1L, count).ToArray();
        var placed = new List<(long Start, long End, int First, int Last)>();
        var order = Enumerable.Range(0, count)
            .Where(v => plan.Values[v].Constant is null && first[v] != Lifetimes.Never)
            .OrderByDescending(v => plan.Values[v].ElementCount).ThenBy(v => v);
        long total = 0;
        foreach (int v in order)
        {
            long size = (plan.Values[v].ElementCount + Alignment - 1) / Alignment * Alignment;
            // Candidate offsets: 0 and the end of every block alive at the same time; take the lowest that fits.
            var conflicts = placed.Where(p => p.First <= last[v] && first[v] <= p.Last).OrderBy(p => p.Start).ToList();
            long offset = 0;
            foreach (var c in conflicts)
            {
                if (offset + size <= c.Start) break;
                offset = Math.Max(offset, c.End);
            }
            offsets[v] = offset;
            placed.Add((offset, offset + size, first[v], last[v]));
            total = Math.Max(total, offset + size);
        }
        return new Layout(offsets, total);
    }
}
