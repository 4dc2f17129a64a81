using Cardinal.Planning;

namespace Cardinal.Passes;

/// <summary>The rewrite passes, in order: BatchNorm folding first, then residual Add, then ReLU.</summary>
public static class PlanPasses
{
    public static ExecutionPlan Optimize(ExecutionPlan plan) =>
        FuseRelu.Apply(FuseResidualAdd.Apply(FoldBatchNormIntoConv.Apply(plan)));
}
