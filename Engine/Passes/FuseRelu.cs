using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Planning;

namespace Cardinal.Passes;

/// <summary>
/// Relu(Conv(…)) becomes the Conv with ReLU in its output store. Preconditions: the Conv has no ReLU yet
/// (a residual epilogue is fine: relu(conv + bias + r) is the ResNet block's tail) and its output feeds
/// only the Relu. Runs after <see cref="FuseResidualAdd"/>, as ONNX Runtime orders them.
/// </summary>
internal static class FuseRelu
{
    public static ExecutionPlan Apply(ExecutionPlan plan)
    {
        var editor = new PlanEditor(plan);
        for (int s = 0; s < editor.Steps.Count; s++)
        {
            if (editor.Steps[s] is not { Node.Op: UnaryOp { Kind: UnaryKind.Relu } } relu) continue;
            int convIndex = editor.ProducerOf(relu.Inputs[0]);
            if (convIndex < 0 || editor.Steps[convIndex] is not { Node.Op: ConvOp { Epilogue.Relu: false } conv } convStep) continue;
            if (!editor.OnlyReader(relu.Inputs[0], s)) continue;
            var node = editor.NodeFor(convStep.Node, conv.With(conv.Epilogue with { Relu = true }), convStep.Inputs, relu.Outputs);
            editor.Replace(s, new PlanStep(node, convStep.Inputs, relu.Outputs));
            editor.Remove(convIndex);
        }
        return editor.Build();
    }
}
