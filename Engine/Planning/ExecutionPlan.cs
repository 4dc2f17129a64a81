using Cardinal.Graph;

namespace Cardinal.Planning;

/// <summary>One node to run: value ids of its inputs (−1 for an omitted optional input) and outputs.</summary>
internal sealed record PlanStep(Node Node, int[] Inputs, int[] Outputs)
{
    /// <summary>
    /// −1 (the default): the step runs alone, in plan order, with every thread. 0 … n−1: the step belongs to a
    /// lane of a concurrent region, the maximal run of consecutive steps that have lanes. A region's lanes may run at
    /// the same time, each on one thread and in plan order within itself; a lane reads only values made before its
    /// region or by itself, and what it makes is read by nothing in another lane (<see cref="KernelExecutor"/> checks).
    /// A backend that runs steps one by one may ignore lanes: plan order is always a valid order.
    /// </summary>
    public int Lane { get; init; } = -1;
}

/// <summary>
/// A graph specialised to concrete input shapes: every value has a concrete type, everything computable
/// ahead of time has been folded into constants, and what is left is an ordered list of steps.
/// </summary>
internal sealed class ExecutionPlan
{
    public required IReadOnlyList<ValueInfo> Values { get; init; }
    public required IReadOnlyList<PlanStep> Steps { get; init; }
    /// <summary>Value ids of the graph inputs a caller supplies at run time, in declaration order.</summary>
    public required int[] Inputs { get; init; }
    /// <summary>Value ids of the graph outputs, in declaration order (may be constants).</summary>
    public required int[] Outputs { get; init; }

    /// <summary>
    /// Constant tensors the session owns and lets go of as soon as a compiled kernel holds its own copy
    /// (<see cref="IKernel.HeldInputs"/>), while the rest of the plan is still being compiled, so packed weights
    /// replace the originals one layer at a time instead of doubling the model in memory first.
    /// </summary>
    public IReadOnlySet<Tensors.Tensor> Releasable { get; init; } = new HashSet<Tensors.Tensor>();

    /// <summary>This plan with <see cref="Releasable"/> set.</summary>
    public ExecutionPlan WithReleasable(IReadOnlySet<Tensors.Tensor> releasable) =>
        new() { Values = Values, Steps = Steps, Inputs = Inputs, Outputs = Outputs, Releasable = releasable };

    public ValueInfo?[] InputsOf(PlanStep step) => step.Inputs.Select(i => i < 0 ? null : Values[i]).ToArray();
    public ValueInfo[] OutputsOf(PlanStep step) => step.Outputs.Select(i => Values[i]).ToArray();

    public long Flops => Steps.Sum(s => s.Node.Op.Flops(InputsOf(s), OutputsOf(s)));
}
