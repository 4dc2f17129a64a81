using Cardinal.Planning;

namespace Cardinal.Passes;

/// <summary>
/// The plan rewrite passes, in order: residual Add, then ReLU. BatchNorm folding runs earlier, once on the
/// graph (<see cref="FoldBatchNormIntoConv"/>), because its result does not depend on input shapes.
/// </summary>
public static class PlanPasses
{
    public static ExecutionPlan Optimize(ExecutionPlan plan) => FuseRelu.Apply(FuseResidualAdd.Apply(plan));
}
