using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Passes;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu.Nchwc;

/// <summary>
/// The CPU backend's layout pass (ONNX Runtime's NCHWc transformer, our way): 2-D convolutions run on
/// channel-blocked values, and so do the max and global-average pools that read them; a value is reordered to
/// the blocked layout the first time a blocked step reads it, and back to NCHW only when (and where) a step
/// that needs NCHW reads it, or it is a graph output. Reorders therefore sit as late as they can, and a
/// torchvision ResNet gets one of its input image and one before its classifier. Values keep their ids: a reorder back writes the original value, so the steps
/// after it are untouched.
/// </summary>
internal sealed class NchwcLayoutPass(int block) : IPlanPass
{
    public string Name => $"nchwc{Block}";

    public int Block { get; } = block;

    /// <summary>
    /// A convolution that reads a model input of fewer channels than a block (the image) reads it as it is, through
    /// <see cref="FoldedStemPlan"/>, with no reorder (false: reordered, as every other input; the backend's option
    /// that runs every blocked convolution through its NCHW plan turns this off).
    /// </summary>
    internal bool FoldStem { get; init; } = true;

    public ExecutionPlan Apply(ExecutionPlan plan)
    {
        var values = new List<ValueInfo>(plan.Values);
        var steps = new List<PlanStep>();
        var blockedOf = new Dictionary<int, int>();
        // Values that exist in NCHW at this point of the new plan: inputs and constants at first.
        var plain = new HashSet<int>(plan.Inputs);
        for (int v = 0; v < values.Count; v++) if (values[v].Constant is not null) plain.Add(v);

        foreach (PlanStep step in plan.Steps)
        {
            switch (step.Node.Op)
            {
                case ConvOp conv when Blockable(conv, step, values):
                {
                    ValueInfo w = values[step.Inputs[1]];
                    // Only the model's own inputs (the image) go to a folded stem: an inner value with few channels (a value read
                    // out between layers unfuses its Relu) keeps the blocked choice, so reading values out never changes the answer.
                    int x = FoldStem && plan.Inputs.Contains(step.Inputs[0]) && !blockedOf.ContainsKey(step.Inputs[0]) && Foldable(conv, step, values)
                        ? step.Inputs[0] : ToBlocked(step.Inputs[0], step.Node);
                    int bias = step.Inputs.Length > 2 ? step.Inputs[2] : -1;
                    int residual = conv.Epilogue.Residual ? ToBlocked(step.Inputs[3], step.Node) : -1;
                    int[] inputs = conv.Epilogue.Residual ? [x, step.Inputs[1], bias, residual] : bias >= 0 ? [x, step.Inputs[1], bias] : [x, step.Inputs[1]];
                    AddBlocked(step, new BlockedConvOp(conv, Block, w.Dims[1] * conv.Group), inputs);
                    break;
                }
                case PoolOp { Kind: PoolKind.Max } pool when blockedOf.ContainsKey(step.Inputs[0]) && step.Outputs.Length == 1 && NoEmptyWindow(pool, step, values):
                    AddBlocked(step, new BlockedMaxPoolOp(pool, Block), [blockedOf[step.Inputs[0]]]);
                    break;
                case GlobalAveragePoolOp when blockedOf.ContainsKey(step.Inputs[0]) && values[step.Inputs[0]].Rank == 4:
                    AddBlocked(step, new BlockedGlobalAveragePoolOp(Block), [blockedOf[step.Inputs[0]]]);
                    break;
                default:
                    foreach (int v in step.Inputs) if (v >= 0) ToPlain(v, step.Node);
                    steps.Add(step);
                    foreach (int v in step.Outputs) plain.Add(v);
                    break;
            }
        }
        foreach (int v in plan.Outputs) ToPlain(v, null);
        return new ExecutionPlan { Values = values, Steps = steps, Inputs = plan.Inputs, Outputs = plan.Outputs, Releasable = plan.Releasable };

        // The step, rewritten to a blocked op whose one output is a new blocked twin of the original output.
        void AddBlocked(PlanStep step, Operator op, int[] inputs)
        {
            int output = step.Outputs[0];
            var node = new Node(step.Node.Name, op, inputs.Select(i => i < 0 ? "" : values[i].Name).ToArray(), [values[output].Name + "/nchwc"], step.Node.Opset);
            TensorType type = op.Infer(node, inputs.Select(i => i < 0 ? null : values[i]).ToArray())[0];
            int blocked = Add(new ValueInfo(node.Outputs[0], type.ElementType, type.Dims));
            steps.Add(new PlanStep(node, inputs, [blocked]));
            blockedOf[output] = blocked;
        }

        // The blocked twin of value v, reordered now if no step has made it yet.
        int ToBlocked(int v, Node reader)
        {
            if (blockedOf.TryGetValue(v, out int existing)) return existing;
            var op = new ReorderToBlockedOp(Block);
            var node = new Node(reader.Name + "/to_nchwc", op, [values[v].Name], [values[v].Name + "/nchwc"], reader.Opset);
            TensorType type = op.Infer(node, [values[v]])[0];
            int blocked = Add(new ValueInfo(node.Outputs[0], type.ElementType, type.Dims));
            steps.Add(new PlanStep(node, [v], [blocked]));
            return blockedOf[v] = blocked;
        }

        // Value v in NCHW: reordered back from its blocked twin, into v itself, the first time a step needs it.
        void ToPlain(int v, Node? reader)
        {
            if (plain.Contains(v) || !blockedOf.TryGetValue(v, out int blocked)) return;
            var op = new ReorderFromBlockedOp(Block, values[v].Dims[1]);
            string name = (reader?.Name ?? "output") + "/from_nchwc";
            steps.Add(new PlanStep(new Node(name, op, [values[blocked].Name], [values[v].Name], reader?.Opset ?? 13), [blocked], [v]));
            plain.Add(v);
        }

        int Add(ValueInfo value)
        {
            values.Add(value);
            return values.Count - 1;
        }
    }

    /// <summary>
    /// A float 2-D convolution with constant weights whose groups the direct kernel runs (one group, groups of whole
    /// blocks, or ResNeXt's narrow groups: <see cref="BlockedDirectPlan.SupportsGrouping"/>). Input channels that do
    /// not fill their last block cost only the reorder's zeros: the direct kernel reads just the real channels of a
    /// partial block (the RGB stem's 3 of 16), so even the stem runs blocked, and the pool after it too.
    /// </summary>
    private bool Blockable(ConvOp conv, PlanStep step, IReadOnlyList<ValueInfo> values)
    {
        ValueInfo x = values[step.Inputs[0]], w = values[step.Inputs[1]];
        return x.Rank == 4 && x.ElementType == ElementType.Float32 && w.Constant is not null
            && BlockedDirectPlan.SupportsGrouping(x.Dims[1], w.Dims[0], conv.Group, Block);
    }

    /// <summary>A convolution <see cref="FoldedStemPlan"/> runs on its NCHW input (the RGB stem).</summary>
    private bool Foldable(ConvOp conv, PlanStep step, IReadOnlyList<ValueInfo> values)
    {
        ValueInfo x = values[step.Inputs[0]], w = values[step.Inputs[1]];
        if (x.Dims[1] >= Block || conv.Epilogue.Residual) return false;
        var shape = new Conv.ConvShape(x.Dims[0], x.Dims[1], w.Dims[0], conv.Group, Window3D.From(conv.Geometry(step.Node, x, w)), conv.Epilogue);
        return FoldedStemPlan.Supports(shape, Block);
    }

    /// <summary>Every window of the pool holds at least one input element (so padded lanes, which are zero, stay zero).</summary>
    private static bool NoEmptyWindow(PoolOp pool, PlanStep step, IReadOnlyList<ValueInfo> values)
    {
        ValueInfo x = values[step.Inputs[0]];
        if (x.Rank != 4 || x.ElementType != ElementType.Float32) return false;
        WindowGeometry g = pool.Geometry(step.Node, x);
        for (int axis = 0; axis < g.Rank; axis++)
            foreach (int o in new[] { 0, g.Output[axis] - 1 })
            {
                bool any = false;
                for (int k = 0; k < g.Kernel[axis] && !any; k++)
                {
                    int i = o * g.Stride[axis] - g.PadBegin[axis] + k * g.Dilation[axis];
                    any = i >= 0 && i < g.Input[axis];
                }
                if (!any) return false;
            }
        return true;
    }
}
