using Cardinal.Planning;

namespace Cardinal.Passes;

/// <summary>
/// A backend's own plan rewrite (<see cref="IBackend.Passes"/>), such as a layout pass that inserts
/// reorders to and from the channel-blocked layout. The session runs these after the generic fusion passes
/// (<see cref="PlanPasses.Optimize"/>) and before <see cref="IBackend.Compile"/>.
/// </summary>
internal interface IPlanPass
{
    /// <summary>A short name for plans and errors, e.g. "nchwc".</summary>
    string Name { get; }

    /// <summary>
    /// True when the backend cannot run the plan without this pass: it then runs even with
    /// <see cref="SessionOptions.Fuse"/> off. An optimisation (a layout pass) leaves this false and runs only
    /// with fusion on.
    /// </summary>
    bool Required => false;

    /// <summary>The rewritten plan (or <paramref name="plan"/> itself when there is nothing to do).</summary>
    ExecutionPlan Apply(ExecutionPlan plan);
}
