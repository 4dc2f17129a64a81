using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Tensors;

namespace Cardinal.Passes;

/// <summary>
/// Conv → BatchNormalization becomes one Conv with W' = W·s and B' = (B − mean)·s + β per output channel,
/// s = γ/√(var + ε) (<see cref="BatchNormFolding"/>, shared with the unfolded CPU and GPU kernels).
/// </summary>
/// <remarks>
/// This runs once on the graph, when a session opens, rather than on each plan: the folded weights do not
/// depend on input shapes, so every plan shares one copy, and the original weights and BatchNorm statistics
/// are dropped instead of living beside the folded ones. Preconditions: the Conv has no epilogue, its
/// output feeds only the BatchNorm (and is not a graph output), and its weights, its bias and every
/// BatchNorm parameter are initializers of matching length.
/// </remarks>
internal static class FoldBatchNormIntoConv
{
    /// <summary>A new graph with the folds applied; <paramref name="graph"/> is left as it was.</summary>
    public static ModelGraph Apply(ModelGraph graph)
    {
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Node n in graph.Nodes)
            foreach (string input in n.Inputs)
                if (input.Length > 0) readers[input] = readers.GetValueOrDefault(input) + 1;
        foreach (TensorInfo output in graph.Outputs) readers[output.Name] = readers.GetValueOrDefault(output.Name) + 1;

        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Nodes.Count; i++)
            foreach (string output in graph.Nodes[i].Outputs)
                if (output.Length > 0) producers[output] = i;

        var nodes = new List<Node?>(graph.Nodes);
        var initializers = new Dictionary<string, Tensor>(graph.Initializers, StringComparer.Ordinal);
        for (int s = 0; s < nodes.Count; s++)
        {
            if (nodes[s] is not { Op: BatchNormOp bn } bnNode || bnNode.Outputs.Count(o => o.Length > 0) != 1) continue;
            if (!producers.TryGetValue(bnNode.Inputs[0], out int c) || nodes[c] is not { Op: ConvOp conv } convNode) continue;
            if (conv.Epilogue != ConvEpilogue.None || readers.GetValueOrDefault(bnNode.Inputs[0]) != 1) continue;
            if (Constant(convNode, 1) is not { } w || w.Rank == 0) continue;
            bool hasBias = convNode.Inputs.Length > 2 && convNode.Inputs[2].Length > 0;
            Tensor? b = hasBias ? Constant(convNode, 2) : null;
            Tensor?[] p = [.. Enumerable.Range(1, 4).Select(i => Constant(bnNode, i))];
            int channels = w.Dims[0];
            if ((hasBias && b?.Length != channels) || p.Any(t => t?.Length != channels)) continue;

            var (newW, newB) = Fold(w, b, p[0]!, p[1]!, p[2]!, p[3]!, bn.Epsilon);
            string wName = $"{convNode.Name}::bn_folded_W", bName = $"{convNode.Name}::bn_folded_B";
            if (initializers.ContainsKey(wName) || initializers.ContainsKey(bName)) continue;
            initializers[wName] = newW;
            initializers[bName] = newB;
            nodes[c] = new Node(convNode.Name, conv, [convNode.Inputs[0], wName, bName], [bnNode.Outputs[0]], convNode.Opset);
            nodes[s] = null;
        }

        var folded = new ModelGraph { Name = graph.Name, Metadata = graph.Metadata };
        folded.Nodes.AddRange(nodes.OfType<Node>());
        folded.Inputs.AddRange(graph.Inputs);
        folded.Outputs.AddRange(graph.Outputs);
        foreach (var (op, count) in graph.SourceOpHistogram) folded.SourceOpHistogram[op] = count;
        // Keep only what is still read: the pre-fold weights and statistics would otherwise stay alive.
        var used = new HashSet<string>(folded.Nodes.SelectMany(n => n.Inputs).Concat(folded.Outputs.Select(o => o.Name)), StringComparer.Ordinal);
        foreach (var (name, tensor) in initializers)
            if (used.Contains(name)) folded.Initializers[name] = tensor;
        return folded;

        Tensor? Constant(Node node, int input) =>
            input < node.Inputs.Length && initializers.TryGetValue(node.Inputs[input], out Tensor? t) && t.ElementType == ElementType.Float32 ? t : null;
    }

    public static (Tensor W, Tensor B) Fold(Tensor w, Tensor? b, Tensor gamma, Tensor beta, Tensor mean, Tensor variance, float epsilon)
    {
        int m = w.Dims[0], perChannel = w.Length / m;
        Tensor newW = Tensor.CreateUninitialized(ElementType.Float32, w.Dims), newB = Tensor.Create(ElementType.Float32, [m]);
        for (int o = 0; o < m; o++)
        {
            // The scale stays in double, so each folded weight is rounded once: as close to the exact product as float allows.
            double scale = BatchNormFolding.Scale(gamma.Floats[o], variance.Floats[o], epsilon);
            Span<float> row = newW.Floats.Slice(o * perChannel, perChannel);
            ReadOnlySpan<float> src = w.Floats.Slice(o * perChannel, perChannel);
            for (int k = 0; k < perChannel; k++) row[k] = (float)(src[k] * scale);
            newB.Floats[o] = BatchNormFolding.Shift(scale, beta.Floats[o], mean.Floats[o], b is null ? 0f : b.Floats[o]);
        }
        return (newW, newB);
    }
}
