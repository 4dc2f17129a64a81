using Cardinal.Planning;
using Tensor = Cardinal.Tensors.Tensor;

namespace Cardinal.Bench;

/// <summary>What the runners feed a model and where its answer goes, the same in each.</summary>
internal static class ModelInput
{
    /// <summary>The first input's dimensions: <paramref name="batch"/> for a symbolic batch, 1 for any other free dimension.</summary>
    public static int[] Dims(InferenceSession session, int batch) =>
        session.Inputs[0].Dims!.Select((d, i) => i == 0 ? d.Size ?? batch : d.Size ?? 1).ToArray();

    /// <summary>An input of these dimensions holding sin(i): deterministic, of ordinary scale, no two runners apart.</summary>
    public static Tensor Sine(int[] dims) =>
        Tensor.FromArray(Enumerable.Range(0, dims.Aggregate(1, (x, y) => x * y)).Select(i => MathF.Sin(i)).ToArray(), dims);

    /// <summary>A tensor for the plan's first output.</summary>
    public static Tensor OutputOf(ExecutionPlan plan) =>
        Tensor.CreateUninitialized(plan.Values[plan.Outputs[0]].ElementType, plan.Values[plan.Outputs[0]].Dims);
}
