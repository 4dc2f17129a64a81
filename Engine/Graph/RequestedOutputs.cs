namespace Cardinal.Graph;

/// <summary>
/// Any value of a graph read out by name (<see cref="SessionOptions.ExtraOutputs"/>): the names become graph
/// outputs before any pass runs, so every pass keeps them as it keeps declared outputs — BatchNorm folding
/// and the fusions leave a value with an outside reader alone, the CPU layout pass reorders graph outputs back
/// to NCHW, and the planner never reuses an output's buffer. No pass needs a special case.
/// </summary>
internal static class RequestedOutputs
{
    /// <summary>
    /// A copy of <paramref name="graph"/> (sharing its nodes and weights) whose outputs are its own followed by
    /// <paramref name="names"/> (those not already outputs, in order). An unknown name throws
    /// <see cref="UnknownValueException"/> listing the nearest names.
    /// </summary>
    public static ModelGraph Add(ModelGraph graph, IReadOnlyList<string> names)
    {
        if (names.Count == 0) return graph;
        var known = new Dictionary<string, TensorInfo?>(StringComparer.Ordinal);
        foreach (var (name, tensor) in graph.Initializers) known[name] = new TensorInfo(name, tensor.ElementType, [.. tensor.Dims.ToArray().Select(Dimension.Fixed)]);
        foreach (TensorInfo input in graph.Inputs) known[input.Name] = input;
        foreach (Node node in graph.Nodes)
            foreach (string output in node.Outputs)
                if (output.Length > 0) known.TryAdd(output, null);

        var result = new ModelGraph { Name = graph.Name };
        result.Nodes.AddRange(graph.Nodes);
        result.Inputs.AddRange(graph.Inputs);
        result.Outputs.AddRange(graph.Outputs);
        foreach (var (name, tensor) in graph.Initializers) result.Initializers[name] = tensor;
        foreach (var (op, count) in graph.SourceOpHistogram) result.SourceOpHistogram[op] = count;
        foreach (string name in names)
        {
            if (!known.TryGetValue(name, out TensorInfo? info))
                throw new UnknownValueException($"The model has no value named '{name}'{NearMatches(name, known.Keys)} (`cardinal inspect --values` lists them all).");
            if (result.Outputs.Any(o => o.Name == name)) continue;
            // A node's output type is known only at planning; every value an image model computes is float.
            result.Outputs.Add(info ?? new TensorInfo(name, Tensors.ElementType.Float32, null));
        }
        return result;
    }

    /// <summary>"; did you mean 'a', 'b'…?" — the names within a small edit distance, or containing the name, nearest first.</summary>
    internal static string NearMatches(string name, IEnumerable<string> candidates)
    {
        int budget = Math.Max(2, name.Length / 3);
        var near = candidates
            .Select(c => (Name: c, Distance: c.Contains(name, StringComparison.OrdinalIgnoreCase) ? 0 : EditDistance(name, c, budget + 1)))
            .Where(c => c.Distance <= budget)
            .OrderBy(c => c.Distance).ThenBy(c => c.Name.Length).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(5).Select(c => $"'{c.Name}'").ToList();
        return near.Count == 0 ? "" : $"; near matches: {string.Join(", ", near)}";
    }

    /// <summary>Levenshtein distance, capped: returns <paramref name="cap"/> as soon as every row exceeds it.</summary>
    internal static int EditDistance(string a, string b, int cap)
    {
        if (Math.Abs(a.Length - b.Length) >= cap) return cap;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            int rowMin = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }
            if (rowMin >= cap) return cap;
            (previous, current) = (current, previous);
        }
        return Math.Min(previous[b.Length], cap);
    }
}
