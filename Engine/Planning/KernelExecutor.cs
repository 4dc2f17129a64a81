using System.Collections.Concurrent;
using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Tensors;

namespace Cardinal.Planning;

/// <summary>
/// Runs a plan step by step with one prepared <see cref="IKernel"/> per step.
/// <list type="bullet">
/// <item>Intermediate buffers are planned once by liveness: a value whose last reader has run hands its
/// buffer to the next value of the same type and size, and the buffers live in a per-run context that
/// is pooled across runs (so steady-state runs allocate no tensors; concurrent runs take separate contexts).</item>
/// <item>View ops (Reshape, Flatten, …) share their input's buffer, which then lives as long as the view.</item>
/// <item>Graph outputs get fresh arrays every run: the caller owns what it is given.</item>
/// </list>
/// </summary>
public sealed class KernelExecutor : ICompiledPlan
{
    private readonly ExecutionPlan _plan;
    private readonly IKernel?[] _kernels;
    /// <summary>Per value: the buffer slot it is written into, or −1 (constant, input, view, graph output).</summary>
    private readonly int[] _slotOf;
    private readonly (ElementType Type, int Length)[] _slots;
    private readonly ConcurrentBag<Array[]> _contexts = [];

    public KernelExecutor(ExecutionPlan plan, Func<PlanStep, IKernel> createKernel)
    {
        _plan = plan;
        _kernels = plan.Steps.Select(s => s.Node.Op is ViewOp ? null : createKernel(s)).ToArray();
        (_slotOf, _slots) = AssignSlots(plan);
    }

    /// <summary>Buffer slots actually allocated per context (for tests and diagnostics).</summary>
    public int SlotCount => _slots.Length;

    private static (int[] SlotOf, (ElementType, int)[] Slots) AssignSlots(ExecutionPlan plan)
    {
        int count = plan.Values.Count;
        // A view's output aliases its input: follow views to the value that owns the buffer.
        var owner = Enumerable.Range(0, count).ToArray();
        foreach (PlanStep step in plan.Steps)
            if (step.Node.Op is ViewOp && plan.Values[step.Outputs[0]].ElementType == plan.Values[step.Inputs[0]].ElementType)
                owner[step.Outputs[0]] = owner[step.Inputs[0]];
        var lastUse = Enumerable.Repeat(-1, count).ToArray();
        for (int s = 0; s < plan.Steps.Count; s++)
            foreach (int v in plan.Steps[s].Inputs)
                if (v >= 0) lastUse[owner[v]] = Math.Max(lastUse[owner[v]], s);
        var escapes = new bool[count];
        foreach (int o in plan.Outputs) escapes[owner[o]] = true;

        var slotOf = Enumerable.Repeat(-1, count).ToArray();
        var slots = new List<(ElementType, int)>();
        var free = new Dictionary<(ElementType, int), Stack<int>>();
        var releaseAt = new List<int>[plan.Steps.Count];
        for (int s = 0; s < plan.Steps.Count; s++)
        {
            PlanStep step = plan.Steps[s];
            if (step.Node.Op is not ViewOp)
                foreach (int v in step.Outputs)
                {
                    if (escapes[v] || plan.Values[v].Constant is not null) continue;
                    var key = (plan.Values[v].ElementType, (int)plan.Values[v].ElementCount);
                    if (free.TryGetValue(key, out var stack) && stack.Count > 0) slotOf[v] = stack.Pop();
                    else { slotOf[v] = slots.Count; slots.Add(key); }
                    // Free after its last reader; an unread output (dead mask) frees right after this step.
                    int release = Math.Max(lastUse[v], s);
                    (releaseAt[release] ??= []).Add(v);
                }
            // Buffers whose last reader is this step become free for the steps after it.
            if (releaseAt[s] is { } done)
                foreach (int v in done)
                {
                    var key = (plan.Values[v].ElementType, (int)plan.Values[v].ElementCount);
                    if (!free.TryGetValue(key, out var stack)) free[key] = stack = new Stack<int>();
                    stack.Push(slotOf[v]);
                }
        }
        return (slotOf, slots.ToArray());
    }

    public Tensor[] Run(Tensor[] inputs, CancellationToken cancellation = default)
    {
        Array[] buffers = _contexts.TryTake(out var pooled) ? pooled : _slots.Select(s => NewBuffer(s.Type, s.Length)).ToArray();
        try { return Execute(inputs, buffers, cancellation); }
        finally { _contexts.Add(buffers); }
    }

    private static Array NewBuffer(ElementType type, int length) =>
        type == ElementType.Float32 ? GC.AllocateUninitializedArray<float>(length) : Tensor.Create(type, [length]).Data;

    private Tensor[] Execute(Tensor[] inputs, Array[] buffers, CancellationToken cancellation)
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
                    int id = step.Outputs[o];
                    var info = _plan.Values[id];
                    // Every kernel writes its outputs in full (IKernel's contract), so nothing is cleared.
                    outputs[o] = _slotOf[id] >= 0 ? Wrap(info, buffers[_slotOf[id]]) : Tensor.CreateUninitialized(info.ElementType, info.Dims);
                }
                kernel.Run(stepInputs, outputs);
                for (int o = 0; o < outputs.Length; o++) slots[step.Outputs[o]] = outputs[o];
            }
            else RunView(step, stepInputs[0]!, slots);
        }

        var results = new Tensor[_plan.Outputs.Length];
        for (int i = 0; i < results.Length; i++)
        {
            Tensor t = slots[_plan.Outputs[i]]!;
            // Never hand the caller an array it, the model or an earlier output already owns.
            bool shared = _plan.Values[_plan.Outputs[i]].Constant is not null
                || inputs.Any(x => ReferenceEquals(x.Data, t.Data))
                || _plan.Values.Any(v => v.Constant is { } c && ReferenceEquals(c.Data, t.Data))
                || results.Take(i).Any(r => ReferenceEquals(r.Data, t.Data));
            results[i] = shared ? t.Clone() : t;
        }
        return results;
    }

    private static Tensor Wrap(ValueInfo info, Array buffer) => info.ElementType switch
    {
        ElementType.Float32 => Tensor.FromArray((float[])buffer, info.Dims),
        _ => Tensor.Wrap(info.ElementType, info.Dims, buffer),
    };

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

    public void Dispose() => _contexts.Clear();
}
