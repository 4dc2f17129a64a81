using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Passes;

/// <summary>
/// Add(Conv(x), r) becomes Conv(x) with r added in its output store. Preconditions: a float Add of equal
/// shapes (no broadcasting), the Conv has no epilogue yet and its output feeds only the Add. The fused
/// step runs where the Add ran, so r is always computed before it. When both operands are convolutions,
/// the later one takes the Add (the earlier one's output is then ready as the residual).
/// </summary>
internal static class FuseResidualAdd
{
    public static ExecutionPlan Apply(ExecutionPlan plan)
    {
        var editor = new PlanEditor(plan);
        for (int s = 0; s < editor.Steps.Count; s++)
        {
            if (editor.Steps[s] is not { Node.Op: BinaryOp { Kind: BinaryKind.Add, LegacyAxis: null } } add) continue;
            ValueInfo a = editor.Values[add.Inputs[0]], b = editor.Values[add.Inputs[1]];
            if (a.ElementType != ElementType.Float32 || !a.Dims.AsSpan().SequenceEqual(b.Dims) || add.Inputs[0] == add.Inputs[1]) continue;
            // Try the later-produced operand first.
            int[] order = editor.ProducerOf(add.Inputs[0]) >= editor.ProducerOf(add.Inputs[1]) ? [0, 1] : [1, 0];
            foreach (int which in order)
            {
                int convValue = add.Inputs[which], residual = add.Inputs[1 - which];
                int convIndex = editor.ProducerOf(convValue);
                if (convIndex < 0 || editor.Steps[convIndex] is not { Node.Op: ConvOp { Epilogue: { Residual: false, Relu: false } } conv } convStep) continue;
                if (!editor.OnlyReader(convValue, s)) continue;
                int bias = convStep.Inputs.Length > 2 ? convStep.Inputs[2] : -1;
                int[] inputs = [convStep.Inputs[0], convStep.Inputs[1], bias, residual];
                var node = editor.NodeFor(convStep.Node, conv.With(new ConvEpilogue(Residual: true, Relu: false)), inputs, add.Outputs);
                editor.Replace(s, new PlanStep(node, inputs, add.Outputs));
                editor.Remove(convIndex);
                break;
            }
        }
        return editor.Build();
    }
}
