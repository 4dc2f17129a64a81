using Cardinal.Graph.Ops;

namespace Cardinal.Planning;

/// <summary>
/// A run of consecutive plan steps [<see cref="Start"/>, <see cref="End"/>) that have lanes (<see cref="PlanStep.Lane"/>):
/// the steps of each lane in plan order, which may run at the same time as the other lanes'. The depth-first prefix
/// makes one per batch, each lane a few images' layers, so each thread carries its own images through the opening
/// layers with no barrier between layers (NOTES "Images side by side").
/// </summary>
internal sealed class ConcurrentRegion
{
    private ConcurrentRegion(int start, int end, int[][] laneSteps)
    {
        Start = start; End = end; LaneSteps = laneSteps;
    }

    public int Start { get; }

    /// <summary>One past the region's last step.</summary>
    public int End { get; }

    /// <summary>Per lane, its steps in plan order (a lane number with no steps has an empty list).</summary>
    public int[][] LaneSteps { get; }

    public int Lanes => LaneSteps.Length;

    /// <summary>
    /// The plan's regions, checked: a lane reads values made before its region or by itself only (so running lanes
    /// side by side reads nothing half made), and a lane makes no view (a view shares its input's buffer, whose
    /// lifetime the executor plans in plan order).
    /// </summary>
    /// <exception cref="InvalidOperationException">A lane reads another lane's value, or a lane step is a view.</exception>
    public static ConcurrentRegion[] Find(ExecutionPlan plan)
    {
        var regions = new List<ConcurrentRegion>();
        var madeBy = new Dictionary<int, int>();
        for (int s = 0; s < plan.Steps.Count;)
        {
            if (plan.Steps[s].Lane < 0) { s++; continue; }
            int start = s;
            madeBy.Clear();
            for (; s < plan.Steps.Count && plan.Steps[s].Lane >= 0; s++)
            {
                PlanStep step = plan.Steps[s];
                if (step.Node.Op is ViewOp)
                    throw new InvalidOperationException($"Step '{step.Node.Name}' is a view in lane {step.Lane}: views cannot run in lanes.");
                foreach (int v in step.Inputs)
                    if (v >= 0 && madeBy.TryGetValue(v, out int lane) && lane != step.Lane)
                        throw new InvalidOperationException($"Step '{step.Node.Name}' in lane {step.Lane} reads '{plan.Values[v].Name}', made in lane {lane} of the same region.");
                foreach (int v in step.Outputs) madeBy[v] = step.Lane;
            }
            int lanes = plan.Steps.Skip(start).Take(s - start).Max(p => p.Lane) + 1;
            var laneSteps = Enumerable.Range(0, lanes)
                .Select(l => Enumerable.Range(start, s - start).Where(i => plan.Steps[i].Lane == l).ToArray()).ToArray();
            regions.Add(new ConcurrentRegion(start, s, laneSteps));
        }
        return regions.ToArray();
    }
}
