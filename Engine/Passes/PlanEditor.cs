using Cardinal.Graph;
using Cardinal.Planning;

namespace Cardinal.Passes;

/// <summary>
/// A mutable copy of an <see cref="ExecutionPlan"/> for rewrite passes: steps can be replaced or removed,
/// constants added; <see cref="Build"/> returns the new plan. Consumer counts answer the one precondition
/// every fusion shares: the value being fused away has no other reader and is not a graph output.
/// </summary>
public sealed class PlanEditor(ExecutionPlan plan)
{
    private readonly List<ValueInfo> _values = [.. plan.Values];
    private readonly List<PlanStep?> _steps = [.. plan.Steps];

    public IReadOnlyList<ValueInfo> Values => _values;
    public IReadOnlyList<PlanStep?> Steps => _steps;

    public int AddConstant(ValueInfo value)
    {
        _values.Add(value);
        return _values.Count - 1;
    }

    public void Replace(int index, PlanStep step) => _steps[index] = step;

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
        Steps = _steps.Where(s => s is not null).Select(s => s!).ToList(),
        Inputs = plan.Inputs,
        Outputs = plan.Outputs,
    };
}
