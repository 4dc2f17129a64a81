using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Passes;

/// <summary>
/// Runs a batch's first layers a few images at a time ("depth first"), then the rest of the plan on the whole
/// batch. A batch's early activations outgrow the cache: ResNet-50's 56×56 layers write 25.7 MB per value at batch
/// 8, so each layer reads its input back from memory, and those layers ran 1.2–1.6× slower per image than at batch
/// 1. Run a sub-batch through them and its values stay in cache from one layer to the next. Later layers are small
/// per image and heavy in weights, and there the whole batch is faster per image (each weight is read once for every
/// image), so the prefix ends where the values have become small (NOTES "Depth first").
/// <para>The prefix is the plan's opening run of steps that keep images apart (<see cref="Operator.ImagesIndependent"/>,
/// every run-time value with the batch as dimension 0) and read one plan input. It ends where a single value is alive
/// (the cut: a residual block's output), at the first such place from the last step whose batch-sized activations are
/// over <see cref="BatchBytesAbove"/>. The rewrite is a Split of the input along the batch, the prefix's steps once
/// per part (each on values of its part's size), and a Concat of the parts' cut values into the cut value the rest
/// of the plan reads. Nothing else changes, so every kernel and fusion still applies, made for the part's shape.</para>
/// </summary>
/// <param name="imagesPerPart">Images per part at most (parts of near-equal size, as Split makes them).</param>
/// <param name="batchBytesAbove">A step whose run-time inputs and outputs at the whole batch take more bytes than this wants the prefix to reach it.</param>
/// <param name="partBytesAtMost">
/// The prefix ends before a step whose run-time inputs and outputs for one part take more bytes than this: a part
/// that does not stay in cache gains nothing from running alone (a video ResNet's first layers, 13 MB per image and
/// value, lost 18 % so).
/// </param>
/// <param name="lanes">
/// With at least this many parts (and more than 1), part p runs in lane p mod lanes (<see cref="PlanStep.Lane"/>): the
/// backend's threads each carry their own images through the prefix, with no barrier between its layers. The prefix's
/// layers are small per image: split between two threads, ResNet-50's prefix had scaled 1.87× on the quiet machine and
/// 1.52× in its slow mode, where side by side the two lanes took 58–60 ms for the eight images (NOTES "Images side by side").
/// </param>
internal sealed class DepthFirstPrefix(int imagesPerPart, long batchBytesAbove, long partBytesAtMost, int lanes = 1) : IPlanPass
{
    public string Name => "depth-first";

    /// <summary>The node names of the rewrite's Split and Concat (`cardinal inspect` finds the schedule by them).</summary>
    public const string SplitName = "depth-first/split", ConcatName = "depth-first/concat";

    public int ImagesPerPart { get; } = imagesPerPart >= 1 ? imagesPerPart : throw new ArgumentOutOfRangeException(nameof(imagesPerPart));

    public long BatchBytesAbove { get; } = batchBytesAbove;

    public long PartBytesAtMost { get; } = partBytesAtMost;

    public int Lanes { get; } = lanes >= 1 ? lanes : throw new ArgumentOutOfRangeException(nameof(lanes));

    public ExecutionPlan Apply(ExecutionPlan plan)
    {
        if (Find(plan) is not var (input, cut)) return plan;
        int batch = plan.Values[input].Dims[0];
        (int parts, int chunk) = Parts(batch);
        bool sideBySide = Lanes > 1 && parts >= Lanes;
        var values = new List<ValueInfo>(plan.Values);
        var steps = new List<PlanStep>();
        var slices = new int[parts];
        var cuts = new int[parts];
        int cutValue = CutValue(plan, cut);
        int opset = plan.Steps[0].Node.Opset;
        for (int part = 0, first = 0; part < parts; part++)
        {
            int images = Math.Min(chunk, batch - first);
            string suffix = $" [images {first}–{first + images - 1}]";
            var map = new Dictionary<int, int> { [input] = slices[part] = AddValue(values, plan.Values[input], images, suffix) };
            var partSteps = new List<PlanStep>();
            for (int s = 0; s <= cut; s++)
            {
                PlanStep step = plan.Steps[s];
                int[] inputs = step.Inputs.Select(v => v >= 0 && map.TryGetValue(v, out int mapped) ? mapped : v).ToArray();
                int[] outputs = step.Outputs.Select(v => map[v] = AddValue(values, plan.Values[v], images, suffix)).ToArray();
                // Shape inference on the part's values must agree with the batch's, image count aside: a check that
                // the step keeps images apart in shape as its operator says it does in content.
                TensorType[] inferred = step.Node.Op.Infer(step.Node, inputs.Select(v => v < 0 ? null : values[v]).ToArray());
                if (inferred.Length != outputs.Length || inferred.Where((t, o) => !t.Dims.AsSpan().SequenceEqual(values[outputs[o]].Dims)).Any())
                    return plan;
                partSteps.Add(new PlanStep(NodeFor(step.Node, suffix, inputs, outputs, values), inputs, outputs) { Lane = sideBySide ? part % Lanes : -1 });
            }
            steps.AddRange(partSteps);
            cuts[part] = map[cutValue];
            first += images;
        }
        var split = new PlanStep(new Node(SplitName, new SplitOp(0), [plan.Values[input].Name], slices.Select(v => values[v].Name).ToArray(), opset), [input], slices);
        var concat = new PlanStep(new Node(ConcatName, new ConcatOp(0), cuts.Select(v => values[v].Name).ToArray(), [plan.Values[cutValue].Name], opset), cuts, [cutValue]);
        return new ExecutionPlan
        {
            Values = values,
            Steps = [split, .. steps, concat, .. plan.Steps.Skip(cut + 1)],
            Inputs = plan.Inputs,
            Outputs = plan.Outputs,
            Releasable = plan.Releasable,
        };
    }

    /// <summary>The plan input the prefix reads and the prefix's last step, or null when no prefix is worth it.</summary>
    internal (int Input, int Cut)? Find(ExecutionPlan plan)
    {
        if (plan.Steps.Count < 2 || plan.Steps[0].Inputs.FirstOrDefault(v => v >= 0 && plan.Inputs.Contains(v), -1) is not (>= 0 and var input))
            return null;
        ValueInfo x = plan.Values[input];
        if (x.Rank < 1 || x.Dims[0] <= ImagesPerPart) return null;
        int batch = x.Dims[0];
        (int parts, int chunk) = Parts(batch);
        if ((long)chunk * (parts - 1) >= batch) return null; // an empty last part (cannot happen with these sizes; Split would refuse it)
        var produced = new HashSet<int>();
        int end = 0, wanted = -1;
        for (; end < plan.Steps.Count; end++)
        {
            PlanStep step = plan.Steps[end];
            if (!KeepsImagesApart(plan, step, input, batch, produced)) break;
            long bytes = step.Inputs.Concat(step.Outputs).Where(v => v >= 0 && !plan.Values[v].IsConstant)
                .Sum(v => plan.Values[v].ElementCount * plan.Values[v].ElementType.SizeInBytes());
            if (bytes / batch * chunk > PartBytesAtMost) break;
            foreach (int o in step.Outputs) produced.Add(o);
            if (bytes > BatchBytesAbove) wanted = end;
        }
        if (wanted < 0) return null;

        // The cut: the first step at or after the last wanted one after which only one prefix value is still read.
        var lastRead = new Dictionary<int, int>();
        for (int s = 0; s < plan.Steps.Count; s++)
            foreach (int v in plan.Steps[s].Inputs) if (v >= 0) lastRead[v] = s;
        var alive = new HashSet<int>();
        for (int s = 0; s < end; s++)
        {
            foreach (int o in plan.Steps[s].Outputs) alive.Add(o);
            alive.RemoveWhere(v => lastRead.GetValueOrDefault(v, -1) <= s);
            if (s >= wanted && alive.Count == 1) return (input, s);
        }
        return null;
    }

    /// <summary>Parts of near-equal size, as Split makes them: how many, and the images of all but perhaps the last.</summary>
    private (int Parts, int Chunk) Parts(int batch)
    {
        int parts = (batch + ImagesPerPart - 1) / ImagesPerPart;
        return (parts, (batch + parts - 1) / parts);
    }

    /// <summary>
    /// The step computes image n of its outputs from image n of its run-time inputs alone: its operator says so of its
    /// constants, every run-time input is the plan input or a prefix value of the output's rank with the batch first,
    /// and no output is a plan output or a view (views share their input's buffer).
    /// </summary>
    private static bool KeepsImagesApart(ExecutionPlan plan, PlanStep step, int input, int batch, HashSet<int> produced)
    {
        if (step.Node.Op is ViewOp || step.Outputs.Length == 0) return false;
        ValueInfo[] outputs = plan.OutputsOf(step);
        if (outputs.Any(o => o.Rank < 1 || o.Dims[0] != batch) || step.Outputs.Any(plan.Outputs.Contains)) return false;
        foreach (int v in step.Inputs)
        {
            if (v < 0 || plan.Values[v].IsConstant) continue;
            if (v != input && !produced.Contains(v)) return false;
            if (plan.Values[v].Rank != outputs[0].Rank || plan.Values[v].Dims[0] != batch) return false;
        }
        return step.Node.Op.ImagesIndependent(plan.InputsOf(step), outputs);
    }

    private static int CutValue(ExecutionPlan plan, int cut)
    {
        var before = new HashSet<int>(plan.Steps.Take(cut + 1).SelectMany(s => s.Outputs));
        return plan.Steps.Skip(cut + 1).SelectMany(s => s.Inputs).First(before.Contains);
    }

    private static int AddValue(List<ValueInfo> values, ValueInfo whole, int images, string suffix)
    {
        int[] dims = (int[])whole.Dims.Clone();
        dims[0] = images;
        values.Add(new ValueInfo(whole.Name + suffix, whole.ElementType, dims));
        return values.Count - 1;
    }

    private static Node NodeFor(Node node, string suffix, int[] inputs, int[] outputs, List<ValueInfo> values) =>
        new(node.Name + suffix, node.Op, inputs.Select(v => v < 0 ? "" : values[v].Name).ToArray(), outputs.Select(v => values[v].Name).ToArray(), node.Opset);
}
