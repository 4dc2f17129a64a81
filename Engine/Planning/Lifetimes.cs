using Cardinal.Graph.Ops;

namespace Cardinal.Planning;

/// <summary>
/// When each value of a plan is alive: from the step that writes it (graph inputs: before the first step)
/// to the last step that reads it (graph outputs: past the end). The one liveness analysis both memory
/// planners build on — the CPU's pooled buffers (<see cref="KernelExecutor"/>) and the device arena
/// (<see cref="ArenaPlanner"/>).
/// </summary>
internal sealed class Lifetimes
{
    /// <summary>Marks a value that is not written by any step and not an input (a constant).</summary>
    public const int Never = int.MaxValue;

    private Lifetimes(int[] owner, int[] first, int[] last, bool[] escapes)
    {
        Owner = owner; First = first; Last = last; Escapes = escapes;
    }

    /// <summary>The value whose memory a value uses: itself, or — when views alias — the value a view chain starts from.</summary>
    public int[] Owner { get; }
    /// <summary>Step that writes the value (−1 for graph inputs, <see cref="Never"/> for constants).</summary>
    public int[] First { get; }
    /// <summary>Last step that reads the value or (with aliasing) any view of it; <see cref="Never"/> for graph outputs; at least <see cref="First"/>.</summary>
    public int[] Last { get; }
    /// <summary>The value (or a view of it) is a graph output, so its memory leaves the run.</summary>
    public bool[] Escapes { get; }

    /// <param name="viewsAlias">
    /// True when view ops (Reshape, Flatten, …) share their input's memory, as on the CPU: a view's readers
    /// then keep its source alive. False when a backend copies views, as the GPU does.
    /// </param>
    /// <param name="plan">The plan whose values' first and last uses are computed.</param>
    public static Lifetimes Compute(ExecutionPlan plan, bool viewsAlias)
    {
        int count = plan.Values.Count;
        var owner = Enumerable.Range(0, count).ToArray();
        if (viewsAlias)
            foreach (PlanStep step in plan.Steps)
                if (step.Node.Op is ViewOp && plan.Values[step.Outputs[0]].ElementType == plan.Values[step.Inputs[0]].ElementType)
                    owner[step.Outputs[0]] = owner[step.Inputs[0]];

        var first = Enumerable.Repeat(Never, count).ToArray();
        var last = Enumerable.Repeat(-1, count).ToArray();
        foreach (int i in plan.Inputs) first[i] = -1;
        for (int s = 0; s < plan.Steps.Count; s++)
        {
            foreach (int o in plan.Steps[s].Outputs) first[o] = Math.Min(first[o], s);
            foreach (int i in plan.Steps[s].Inputs)
                if (i >= 0) last[owner[i]] = Math.Max(last[owner[i]], s);
        }
        var escapes = new bool[count];
        foreach (int o in plan.Outputs) escapes[owner[o]] = escapes[o] = true;
        for (int v = 0; v < count; v++)
            last[v] = escapes[v] ? Never : Math.Max(last[v], first[v] == Never ? -1 : first[v]);
        return new Lifetimes(owner, first, last, escapes);
    }

    /// <summary>Two values are alive at the same time (a step's inputs and outputs always are).</summary>
    public bool Overlap(int a, int b) => First[a] <= Last[b] && First[b] <= Last[a];
}
