using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Passes;

/// <summary>
/// Conv → BatchNormalization becomes one Conv with W' = W·s and B' = (B − mean)·s + β per output channel,
/// s = γ/√(var + ε). Preconditions: the Conv has no epilogue yet, its output feeds only the BatchNorm, and
/// its weights and bias, and every BatchNorm parameter, are constants.
/// </summary>
public static class FoldBatchNormIntoConv
{
    public static ExecutionPlan Apply(ExecutionPlan plan)
    {
        var editor = new PlanEditor(plan);
        for (int s = 0; s < editor.Steps.Count; s++)
        {
            if (editor.Steps[s] is not { Node.Op: BatchNormOp bn } bnStep) continue;
            int convIndex = editor.ProducerOf(bnStep.Inputs[0]);
            if (convIndex < 0 || editor.Steps[convIndex] is not { Node.Op: ConvOp { Epilogue: { Residual: false, Relu: false } } conv } convStep) continue;
            if (!editor.OnlyReader(bnStep.Inputs[0], s)) continue;
            Tensor? w = editor.Values[convStep.Inputs[1]].Constant;
            Tensor? b = convStep.Inputs.Length > 2 && convStep.Inputs[2] >= 0 ? editor.Values[convStep.Inputs[2]].Constant : null;
            bool hasBias = convStep.Inputs.Length > 2 && convStep.Inputs[2] >= 0;
            Tensor?[] p = bnStep.Inputs.Skip(1).Take(4).Select(i => i >= 0 ? editor.Values[i].Constant : null).ToArray();
            if (w is null || (hasBias && b is null) || p.Any(t => t is null)) continue;

            var (newW, newB) = Fold(w, b, p[0]!, p[1]!, p[2]!, p[3]!, bn.Epsilon);
            string name = convStep.Node.Name;
            int wId = editor.AddConstant(new ValueInfo($"{name}::bn_folded_W", ElementType.Float32, newW.Shape(), newW));
            int bId = editor.AddConstant(new ValueInfo($"{name}::bn_folded_B", ElementType.Float32, newB.Shape(), newB));
            int[] inputs = [convStep.Inputs[0], wId, bId];
            editor.Replace(convIndex, new PlanStep(editor.NodeFor(convStep.Node, conv, inputs, bnStep.Outputs), inputs, bnStep.Outputs));
            editor.Remove(s);
        }
        return editor.Build();
    }

    public static (Tensor W, Tensor B) Fold(Tensor w, Tensor? b, Tensor gamma, Tensor beta, Tensor mean, Tensor variance, float epsilon)
    {
        int m = w.Dims[0], perChannel = w.Length / m;
        Tensor newW = w.Clone(), newB = Tensor.Create(ElementType.Float32, [m]);
        for (int o = 0; o < m; o++)
        {
            // In double, then rounded once: the folded weights are as close to the exact product as float allows.
            double scale = gamma.Floats[o] / Math.Sqrt((double)variance.Floats[o] + epsilon);
            Span<float> row = newW.Floats.Slice(o * perChannel, perChannel);
            ReadOnlySpan<float> src = w.Floats.Slice(o * perChannel, perChannel);
            for (int k = 0; k < perChannel; k++) row[k] = (float)(src[k] * scale);
            double bias = b is null ? 0 : b.Floats[o];
            newB.Floats[o] = (float)((bias - mean.Floats[o]) * scale + beta.Floats[o]);
        }
        return (newW, newB);
    }
}
