namespace Cardinal.Learning;

/// <summary>
/// Seeded, stratified splits: every class is shuffled on its own (SplitMix64, so the same seed gives the
/// same split on any runtime) and dealt out in proportion, so each part keeps the class balance.
/// </summary>
public static class StratifiedSplit
{
    /// <summary>Held-out indices: round(fraction · count) of each class, at least 1 and at most count − 1.</summary>
    public static (int[] Train, int[] Test) Holdout(int[] labels, int classes, double fraction, ulong seed)
    {
        if (!(fraction > 0 && fraction < 1)) throw new TrainingException($"the held-out fraction must be between 0 and 1, got {fraction}");
        var train = new List<int>();
        var test = new List<int>();
        var byClass = ByClass(labels, classes, seed);
        for (int c = 0; c < classes; c++)
        {
            var members = byClass[c];
            if (members.Count < 2) throw new TrainingException($"class {c} has {members.Count} sample(s); a held-out split needs at least 2 per class");
            int take = Math.Clamp((int)Math.Round(fraction * members.Count, MidpointRounding.AwayFromZero), 1, members.Count - 1);
            test.AddRange(members.Take(take));
            train.AddRange(members.Skip(take));
        }
        train.Sort();
        test.Sort();
        return ([.. train], [.. test]);
    }

    /// <summary>The fold (0..folds−1) of every sample: each class's shuffled members are dealt round-robin.</summary>
    public static int[] Folds(int[] labels, int classes, int folds, ulong seed)
    {
        if (folds < 2) throw new TrainingException($"cross-validation needs at least 2 folds, got {folds}");
        var fold = new int[labels.Length];
        var byClass = ByClass(labels, classes, seed);
        int next = 0;
        for (int c = 0; c < classes; c++)
            // Continue the deal where the previous class stopped, so small classes do not all land in fold 0.
            foreach (int i in byClass[c]) fold[i] = next++ % folds;
        return fold;
    }

    private static List<int>[] ByClass(int[] labels, int classes, ulong seed)
    {
        var byClass = new List<int>[classes];
        for (int c = 0; c < classes; c++) byClass[c] = [];
        for (int i = 0; i < labels.Length; i++) byClass[labels[i]].Add(i);
        var rng = new SplitMix64(seed);
        foreach (var members in byClass)
            for (int i = members.Count - 1; i > 0; i--)
            {
                int j = (int)(rng.Next() % (ulong)(i + 1));
                (members[i], members[j]) = (members[j], members[i]);
            }
        return byClass;
    }

    /// <summary>Steele, Lea &amp; Flood's SplitMix64: a fixed, portable stream for a seed.</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
