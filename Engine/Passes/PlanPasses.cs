using Cardinal.Planning;

namespace Cardinal.Passes;

/// <summary>
/// The plan rewrite passes, in order: residual Add, then ReLU. BatchNorm folding runs earlier, once on the
/// graph (<see cref="FoldBatchNormIntoConv"/>), because its result does not depend on input shapes. The
/// backend's own passes (layouts) run after these (<see cref="ForBackend"/>).
/// </summary>
internal static class PlanPasses
{
    public static ExecutionPlan Optimize(ExecutionPlan plan) => FuseRelu.Apply(FuseResidualAdd.Apply(plan));

    /// <summary>
    /// The backend's own passes (<see cref="IBackend.Passes"/>), in order, after <see cref="Optimize"/>: all of
    /// them when <paramref name="optimize"/>, else only those the backend needs to run the plan at all.
    /// </summary>
    public static ExecutionPlan ForBackend(ExecutionPlan plan, IBackend backend, bool optimize)
    {
        foreach (IPlanPass pass in backend.Passes)
            if (optimize || pass.Required) plan = pass.Apply(plan);
        return plan;
    }
}
