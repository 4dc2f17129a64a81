using Cardinal.Diagnostics;
using Cardinal.Graph;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal;

/// <summary>
/// Runs into caller buffers for any number of inputs and outputs: the caller's tensors (which may wrap the caller's
/// own arrays, <see cref="Tensor.Wrap"/> / <see cref="Tensor.Over"/>) are handed to the compiled plan as they are,
/// with no staging copy. After the first run at a set of input shapes nothing is allocated: the plan is found by
/// comparing dims (and the values of integer inputs, which can decide shapes), and the plan-ordered argument
/// arrays come from a per-plan pool.
/// </summary>
public sealed partial class InferenceSession
{
    /// <summary>
    /// Runs on <paramref name="inputs"/> (ordered as <see cref="Inputs"/>) into <paramref name="outputs"/> (ordered as
    /// <see cref="Outputs"/>, each of the type and shape <see cref="OutputShapes"/> gives for these inputs). Every
    /// output element is written. A collection expression (<c>session.Run([a, b], [y, z])</c>) lives on the stack.
    /// </summary>
    public void Run(ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputs.Length != _graph.Inputs.Count)
            throw new InputMismatchException($"The model has {_graph.Inputs.Count} inputs ({InputNames()}); {inputs.Length} were given.");
        if (outputs.Length != _graph.Outputs.Count)
            throw new InputMismatchException($"The model has {_graph.Outputs.Count} outputs; {outputs.Length} buffers were given.");
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null) throw new InputMismatchException($"Input '{_graph.Inputs[i].Name}' was not given (null).");
            Check(_graph.Inputs[i], inputs[i]);
        }

        BoundPlan bound = BoundPlanFor(inputs);
        for (int j = 0; j < outputs.Length; j++)
        {
            ValueInfo planned = bound.Outputs[j];
            if (outputs[j] is not { } o || o.ElementType != planned.ElementType || !o.Dims.SequenceEqual(planned.Dims))
                throw new InputMismatchException($"Output '{_graph.Outputs[j].Name}' must be {planned.ElementType.Name()}{TensorShape.Format(planned.Dims)}, got {outputs[j]?.ToString() ?? "null"}.");
        }

        (Tensor[] In, Tensor[] Out) args = bound.Arguments.TryTake(out var pooled) ? pooled
            : (new Tensor[bound.GraphInputOf.Length], new Tensor[outputs.Length]);
        try
        {
            for (int k = 0; k < bound.GraphInputOf.Length; k++) args.In[k] = inputs[bound.GraphInputOf[k]];
            outputs.CopyTo(args.Out);
            using var scope = CardinalTelemetry.StartRun(Name, inputs.Length > 0 && inputs[0].Rank > 0 ? inputs[0].Dims[0] : 1);
            bound.Compiled.Run(args.In, args.Out, cancellation);
            scope.Complete();
        }
        finally
        {
            // Drop the caller's tensors before pooling the arrays: a pooled array must not keep them alive.
            Array.Clear(args.In);
            Array.Clear(args.Out);
            bound.Arguments.Add(args);
        }
    }

    /// <summary>
    /// The output shapes (ordered as <see cref="Outputs"/>) for float inputs of these shapes (one per input), e.g. to
    /// allocate the buffers of <see cref="Run(ReadOnlySpan{Tensor}, ReadOnlySpan{Tensor}, CancellationToken)"/>.
    /// </summary>
    public IReadOnlyList<int[]> OutputShapes(params int[][] inputShapes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ExecutionPlan plan = PlanForShapes(inputShapes);
        return [.. plan.Outputs.Select(id => (int[])plan.Values[id].Dims.Clone())];
    }

    /// <summary>
    /// A compiled plan with what a caller-buffer run needs: which caller input each plan input is (a plan may read
    /// fewer inputs than the graph declares), the planned outputs, and a pool of argument arrays.
    /// </summary>
    private sealed class BoundPlan(int[][] dims, Tensor?[] values, ICompiledPlan compiled, int[] graphInputOf, ValueInfo[] outputs)
    {
        /// <summary>Each graph input's dims, as planned.</summary>
        public int[][] Dims { get; } = dims;
        /// <summary>A copy of each non-float input's values (they decide shapes), null for float inputs.</summary>
        public Tensor?[] Values { get; } = values;
        public ICompiledPlan Compiled { get; } = compiled;
        public int[] GraphInputOf { get; } = graphInputOf;
        public ValueInfo[] Outputs { get; } = outputs;
        public System.Collections.Concurrent.ConcurrentBag<(Tensor[] In, Tensor[] Out)> Arguments { get; } = [];

        public bool Matches(ReadOnlySpan<Tensor> inputs)
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                if (!inputs[i].Dims.SequenceEqual(Dims[i])) return false;
                if (Values[i] is { } v && !inputs[i].Bytes.SequenceEqual(v.Bytes)) return false;
            }
            return true;
        }
    }

    /// <summary>The last few caller-buffer plans, newest first, replaced whole (copy on write), as <see cref="_recent"/>.</summary>
    private volatile BoundPlan[] _bound = [];

    private BoundPlan BoundPlanFor(ReadOnlySpan<Tensor> inputs)
    {
        BoundPlan[] bound = _bound;
        for (int i = 0; i < bound.Length; i++)
            if (bound[i].Matches(inputs)) return bound[i];
        return AddBoundPlan(inputs.ToArray());
    }

    /// <summary>The slow path, in its own method (see <see cref="AddRecentPlan"/>).</summary>
    private BoundPlan AddBoundPlan(Tensor[] inputs)
    {
        // Non-float inputs are planned with (and matched against) a copy: the caller may change its buffer later.
        Tensor?[] values = [.. inputs.Select(t => t.ElementType == ElementType.Float32 ? null : t.Clone())];
        var (plan, compiled) = PlanFor([.. inputs.Select((t, i) => new SpecializedInput(t.Shape(), values[i]))]);
        int[] graphInputOf = [.. plan.Inputs.Select(id => _graph.Inputs.FindIndex(g => g.Name == plan.Values[id].Name))];
        ValueInfo[] outputs = [.. plan.Outputs.Select(id => plan.Values[id])];
        var added = new BoundPlan([.. inputs.Select(t => t.Shape())], values, compiled, graphInputOf, outputs);
        lock (_gate) _bound = [added, .. _bound.Where(b => b.Compiled != compiled).Take(RecentPlans - 1)];
        return added;
    }

    private string InputNames() => string.Join(", ", _graph.Inputs.Select(i => $"'{i.Name}'"));
}
