using Cardinal.Graph.Ops;
using Cardinal.Tensors;

namespace Cardinal.Planning;

/// <summary>
/// Runs a plan step by step with one prepared <see cref="IKernel"/> per step. Intermediate tensors are
/// allocated per run and dropped after their last reader; view ops (Reshape, Flatten, …) share their
/// input's array instead of copying it.
/// </summary>
public sealed class KernelExecutor : ICompiledPlan
{
    private readonly ExecutionPlan _plan;
    private readonly IKernel?[] _kernels;
    private readonly int[] _lastUse;

    public KernelExecutor(ExecutionPlan plan, Func<PlanStep, IKernel> createKernel)
    {
        _plan = plan;
        _kernels = plan.Steps.Select(s => s.Node.Op is ViewOp ? null : createKernel(s)).ToArray();
        _lastUse = plan.LastUses();
        foreach (int o in plan.Outputs) _lastUse[o] = int.MaxValue;
    }

    public Tensor[] Run(Tensor[] inputs, CancellationToken cancellation = default)
    {
        var slots = new Tensor?[_plan.Values.Count];
        for (int v = 0; v < slots.Length; v++) slots[v] = _plan.Values[v].Constant;
        for (int i = 0; i < _plan.Inputs.Length; i++) slots[_plan.Inputs[i]] = inputs[i];

        for (int s = 0; s < _plan.Steps.Count; s++)
        {
            cancellation.ThrowIfCancellationRequested();
            PlanStep step = _plan.Steps[s];
            var stepInputs = new Tensor?[step.Inputs.Length];
            for (int i = 0; i < stepInputs.Length; i++) stepInputs[i] = step.Inputs[i] < 0 ? null : slots[step.Inputs[i]];
            if (_kernels[s] is { } kernel)
            {
                var outputs = new Tensor[step.Outputs.Length];
                for (int o = 0; o < outputs.Length; o++)
                {
                    var info = _plan.Values[step.Outputs[o]];
                    // Every kernel writes its outputs in full (IKernel's contract), so no zeroing.
                    outputs[o] = Tensor.CreateUninitialized(info.ElementType, info.Dims);
                }
                kernel.Run(stepInputs, outputs);
                for (int o = 0; o < outputs.Length; o++) slots[step.Outputs[o]] = outputs[o];
            }
            else RunView(step, stepInputs[0]!, slots);

            foreach (int v in step.Inputs)
                if (v >= 0 && _lastUse[v] == s && _plan.Values[v].Constant is null) slots[v] = null;
        }

        var results = new Tensor[_plan.Outputs.Length];
        for (int i = 0; i < results.Length; i++)
        {
            Tensor t = slots[_plan.Outputs[i]]!;
            // Never hand the caller an array it or the model already owns.
            bool shared = _plan.Values[_plan.Outputs[i]].Constant is not null
                || inputs.Any(x => ReferenceEquals(x.Data, t.Data))
                || _plan.Values.Any(v => v.Constant is { } c && ReferenceEquals(c.Data, t.Data))
                || results.Take(i).Any(r => ReferenceEquals(r.Data, t.Data));
            results[i] = shared ? t.Clone() : t;
        }
        return results;
    }

    private void RunView(PlanStep step, Tensor input, Tensor?[] slots)
    {
        for (int o = 0; o < step.Outputs.Length; o++)
        {
            var info = _plan.Values[step.Outputs[o]];
            if (info.ElementType == input.ElementType)
                slots[step.Outputs[o]] = input.Reshaped(info.Dims);
            else
            {
                // Dropout's mask: every element kept.
                var mask = Tensor.Create(ElementType.Bool, info.Dims);
                mask.Span<bool>().Fill(true);
                slots[step.Outputs[o]] = mask;
            }
        }
    }

    public void Dispose() { }
}
