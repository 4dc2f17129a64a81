using Cardinal.Graph;
using Cardinal.Planning;

namespace Cardinal.Passes;

/// <summary>
/// A mutable copy of an <see cref="ExecutionPlan"/> for rewrite passes: steps can be replaced or removed,
/// constants added; <see cref="Build"/> returns the new plan. Consumer counts answer the one precondition
/// every fusion shares: the value being fused away has no other reader and is not a graph output.
/// </summary>
internal sealed class PlanEditor(ExecutionPlan plan)
{
    private readonly List<ValueInfo> _values = [.. plan.Values];
    private readonly List<PlanStep?> _steps = [.. plan.Steps];

    public IReadOnlyList<ValueInfo> Values => _values;
    public IReadOnlyList<PlanStep?> Steps => _steps;

    /// <summary>Steps inserted after an existing step, by its index (so existing indices stay put until <see cref="Build"/>).</summary>
    private readonly Dictionary<int, List<PlanStep>> _after = [];

    public int AddConstant(ValueInfo value) => AddValue(value);

    /// <summary>Adds a value (a constant, or an intermediate a new step writes); returns its id.</summary>
    public int AddValue(ValueInfo value)
    {
        _values.Add(value);
        return _values.Count - 1;
    }

    public void Replace(int index, PlanStep step) => _steps[index] = step;

    /// <summary>
    /// Runs <paramref name="step"/> right after step <paramref name="index"/> (after any inserted there
    /// before). Indices of existing steps do not move; inserted steps are not in <see cref="Steps"/> until
    /// <see cref="Build"/>, so the consumer queries do not see them.
    /// </summary>
    public void InsertAfter(int index, PlanStep step)
    {
        if (!_after.TryGetValue(index, out var list)) _after[index] = list = [];
        list.Add(step);
    }

    /// <summary>A node for a rewritten step, its input and output names taken from the step's values.</summary>
    public Node NodeFor(Node original, Operator op, int[] inputs, int[] outputs) =>
        new(original.Name, op, inputs.Select(i => i < 0 ? "" : _values[i].Name).ToArray(),
            outputs.Select(o => _values[o].Name).ToArray(), original.Opset);
    public void Remove(int index) => _steps[index] = null;

    /// <summary>Index of the live step that writes <paramref name="value"/>, or −1 (input or constant).</summary>
    public int ProducerOf(int value)
    {
        for (int s = 0; s < _steps.Count; s++)
            if (_steps[s] is { } step && step.Outputs.Contains(value)) return s;
        return -1;
    }

    /// <summary>True when only <paramref name="reader"/> reads <paramref name="value"/> and it is not a graph output.</summary>
    public bool OnlyReader(int value, int reader)
    {
        if (plan.Outputs.Contains(value)) return false;
        for (int s = 0; s < _steps.Count; s++)
            if (s != reader && _steps[s] is { } step && step.Inputs.Contains(value)) return false;
        return _steps[reader]!.Inputs.Count(i => i == value) == 1;
    }

    public ExecutionPlan Build() => new()
    {
        Values = _values,
        Steps = _steps.SelectMany((s, i) => (s is null ? [] : new[] { s }).Concat(_after.GetValueOrDefault(i) ?? [])).ToList(),
        Inputs = plan.Inputs,
        Outputs = plan.Outputs,
        Releasable = plan.Releasable,
    };
}
