namespace Cardinal.Cli.CommandLine;

/// <summary>"Did you mean …?": the known words closest to a misspelt one, by edit distance, then by prefix.</summary>
internal static class Suggestions
{
    /// <summary>
    /// Up to <paramref name="max"/> candidates within a third of the word's length in edits (at least one,
    /// at most three) or that start with it, closest first.
    /// </summary>
    public static IReadOnlyList<string> For(string word, IEnumerable<string> candidates, int max = 3)
    {
        int allowed = Math.Clamp(Bare(word).Length / 3, 1, 3);
        return candidates.Distinct(StringComparer.Ordinal)
            .Select(c => (Word: c, Distance: Distance(Bare(word), Bare(c))))
            .Where(c => c.Distance <= allowed || (Bare(word).Length >= 2 && Bare(c.Word).StartsWith(Bare(word), StringComparison.Ordinal)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Word, StringComparer.Ordinal)
            .Take(max).Select(c => c.Word).ToList();
    }

    /// <summary>Option prefixes do not count as letters to compare: "--jsn" is one edit from "--json", not from "--seed".</summary>
    private static string Bare(string word) => word.TrimStart('-', '/');

    /// <summary>Damerau–Levenshtein (optimal string alignment): a swapped pair of letters is one edit.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
