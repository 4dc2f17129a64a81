using Cardinal.Graph;

namespace Cardinal.Planning;

/// <summary>One node to run: value ids of its inputs (−1 for an omitted optional input) and outputs.</summary>
public sealed record PlanStep(Node Node, int[] Inputs, int[] Outputs);

/// <summary>
/// A graph specialised to concrete input shapes: every value has a concrete type, everything computable
/// ahead of time has been folded into constants, and what is left is an ordered list of steps.
/// </summary>
public sealed class ExecutionPlan
{
    public required IReadOnlyList<ValueInfo> Values { get; init; }
    public required IReadOnlyList<PlanStep> Steps { get; init; }
    /// <summary>Value ids of the graph inputs a caller supplies at run time, in declaration order.</summary>
    public required int[] Inputs { get; init; }
    /// <summary>Value ids of the graph outputs, in declaration order (may be constants).</summary>
    public required int[] Outputs { get; init; }

    public ValueInfo?[] InputsOf(PlanStep step) => step.Inputs.Select(i => i < 0 ? null : Values[i]).ToArray();
    public ValueInfo[] OutputsOf(PlanStep step) => step.Outputs.Select(i => Values[i]).ToArray();

    public long Flops => Steps.Sum(s => s.Node.Op.Flops(InputsOf(s), OutputsOf(s)));
}
