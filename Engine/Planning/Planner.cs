using Cardinal.Graph;
using Cardinal.Tensors;

namespace Cardinal.Planning;

/// <summary>
/// Specialises a graph to concrete inputs: walks the nodes in order, infers every value's type and shape,
/// and evaluates ahead of time each node whose inputs are all known (constant folding — this is what
/// removes the exporters' Shape→Gather→Concat→Reshape chains). Known values are folded with the backend's
/// own kernels, so a folded result is exactly what the run would have computed.
/// </summary>
internal static class Planner
{
    /// <summary>Folded results larger than this stay as steps: folding must not bloat memory.</summary>
    private const long MaxFoldedElements = 1 << 24;

    /// <param name="inputs">Per graph input (as <see cref="SpecializedInput"/>): concrete dims, and the data when it decides shapes.</param>
    /// <param name="graph">The model, already rewritten by the graph passes.</param>
    /// <param name="backend">Evaluates the steps whose inputs are all constant (constant folding).</param>
    public static ExecutionPlan Plan(ModelGraph graph, IReadOnlyList<SpecializedInput> inputs, IBackend backend)
    {
        var values = new List<ValueInfo>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Add(ValueInfo v) { values.Add(v); ids[v.Name] = values.Count - 1; return values.Count - 1; }

        foreach (var (name, tensor) in graph.Initializers)
            Add(new ValueInfo(name, tensor.ElementType, tensor.Shape(), tensor));
        var inputIds = new List<int>();
        for (int i = 0; i < graph.Inputs.Count; i++)
        {
            TensorInfo declared = graph.Inputs[i];
            SpecializedInput given = inputs[i];
            if (given.Value is { } known)
                Add(new ValueInfo(declared.Name, declared.ElementType, given.Dims, known));
            else
                inputIds.Add(Add(new ValueInfo(declared.Name, declared.ElementType, given.Dims)));
        }

        var steps = new List<PlanStep>();
        foreach (Node node in graph.Nodes)
        {
            int[] inputIdsOfNode = node.Inputs.Select(name => ResolveInput(node, name, ids)).ToArray();
            ValueInfo?[] inputInfos = inputIdsOfNode.Select(i => i < 0 ? null : values[i]).ToArray();
            TensorType[] types = node.Op.Infer(node, inputInfos);
            if (types.Length < node.Outputs.Count(o => o.Length > 0))
                throw new InvalidModelException($"{node.Describe()} declares {node.Outputs.Length} outputs; {node.OpType} produces {types.Length}.");

            var outputs = new ValueInfo[types.Length];
            for (int o = 0; o < types.Length; o++)
            {
                string name = o < node.Outputs.Length && node.Outputs[o].Length > 0 ? node.Outputs[o] : $"{node.Name}:unused{o}";
                outputs[o] = new ValueInfo(name, types[o].ElementType, types[o].Dims);
            }

            if (node.Op.FoldFromShapes(inputInfos) is { } fromShapes)
            {
                Add(new ValueInfo(outputs[0].Name, outputs[0].ElementType, outputs[0].Dims, fromShapes));
                continue;
            }
            bool foldable = node.Op.IsFoldable && inputInfos.All(v => v is null || v.IsConstant)
                && outputs.Sum(v => v.ElementCount) <= MaxFoldedElements;
            if (foldable)
            {
                Tensor[] folded = Evaluate(node, inputInfos, outputs, backend.ConstantFolder);
                for (int o = 0; o < outputs.Length; o++)
                    Add(new ValueInfo(outputs[o].Name, outputs[o].ElementType, outputs[o].Dims, folded[o]));
            }
            else
                steps.Add(new PlanStep(node, inputIdsOfNode, outputs.Select(Add).ToArray()));
        }

        int[] outputIds = graph.Outputs.Select(o => ids.TryGetValue(o.Name, out int id) ? id
            : throw new InvalidModelException($"Graph output '{o.Name}' is not produced by any node.")).ToArray();
        return new ExecutionPlan
        {
            Values = values,
            Steps = RemoveDeadSteps(steps, outputIds, values.Count),
            Inputs = inputIds.ToArray(),
            Outputs = outputIds,
        };
    }

    private static int ResolveInput(Node node, string name, Dictionary<string, int> ids)
    {
        if (name.Length == 0) return -1;
        return ids.TryGetValue(name, out int id) ? id
            : throw new InvalidModelException($"{node.Describe()} reads '{name}', which no initializer, graph input or earlier node provides.");
    }

    /// <summary>Runs one node now, through the backend, on constant inputs.</summary>
    private static Tensor[] Evaluate(Node node, ValueInfo?[] inputs, ValueInfo[] outputs, IBackend backend)
    {
        var values = new List<ValueInfo>();
        var inputIds = inputs.Select(v => { if (v is null) return -1; values.Add(v); return values.Count - 1; }).ToArray();
        var outputIds = outputs.Select(v => { values.Add(v); return values.Count - 1; }).ToArray();
        var plan = new ExecutionPlan { Values = values, Steps = [new PlanStep(node, inputIds, outputIds)], Inputs = [], Outputs = outputIds };
        using ICompiledPlan compiled = backend.Compile(plan);
        return compiled.Run([]);
    }

    /// <summary>Drops steps none of whose outputs reach a graph output (e.g. an unused Dropout mask).</summary>
    private static List<PlanStep> RemoveDeadSteps(List<PlanStep> steps, int[] outputs, int valueCount)
    {
        var live = new bool[valueCount];
        foreach (int o in outputs) live[o] = true;
        var kept = new List<PlanStep>();
        for (int s = steps.Count - 1; s >= 0; s--)
        {
            if (!steps[s].Outputs.Any(o => live[o])) continue;
            kept.Add(steps[s]);
            foreach (int i in steps[s].Inputs) if (i >= 0) live[i] = true;
        }
        kept.Reverse();
        return kept;
    }
}

/// <summary>A graph input made concrete: its dims, and its data when the data itself decides shapes.</summary>
internal readonly record struct SpecializedInput(int[] Dims, Tensor? Value);
