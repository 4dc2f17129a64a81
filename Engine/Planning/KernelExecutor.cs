using System.Diagnostics;
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
/// <item>Graph outputs are written into the caller's tensors (or fresh ones): the caller owns what it is given.</item>
/// <item>Float buffers start on 64-byte boundaries (one pinned arena per context), and each context owns one
/// workspace as large as the largest step's <see cref="IKernel.WorkspaceBytes"/>, lent to each step in turn.</item>
/// <item>Steps with lanes (<see cref="ConcurrentRegion"/>) run lane by lane, the lanes side by side when a way to run
/// them concurrently is given: each lane's values take buffers no other lane of the region takes, and each lane after
/// the first has a workspace of its own.</item>
/// </list>
/// </summary>
internal sealed class KernelExecutor : ICompiledPlan
{
    private readonly ExecutionPlan _plan;
    /// <summary>Whether each run context asks for huge pages under its buffers and workspaces (<see cref="HugePages"/>).</summary>
    private readonly bool _hugePages;
    private readonly IKernel?[] _kernels;
    /// <summary>Per value: the buffer slot it is written into, or −1 (constant, input, view, graph output).</summary>
    private readonly int[] _slotOf;
    private readonly (ElementType Type, int Length)[] _slots;
    private readonly long _exactSizesBufferBytes;
    /// <summary>Per value: whether it is a plan output (the same for every context).</summary>
    private readonly bool[] _isOutput;
    private readonly ConcurrentBag<Context> _contexts = [];
    /// <summary>Scratch bytes of the hungriest step: each context's workspace.</summary>
    private readonly long _workspaceBytes;
    private readonly ConcurrentRegion[] _regions;
    /// <summary>Per step: the region that starts there, or null.</summary>
    private readonly ConcurrentRegion?[] _regionAt;
    /// <summary>Per region, per lane: that lane's workspace bytes (lane 0 borrows the context's own workspace).</summary>
    private readonly long[][] _laneWorkspaceBytes;
    /// <summary>Runs body(0 … count−1) with the indices side by side (the backend's threads), or null: lanes run one after another.</summary>
    private readonly Action<int, Action<int>>? _runConcurrently;

    /// <param name="plan">The plan to run.</param>
    /// <param name="createKernel">The backend's kernel for a step.</param>
    /// <param name="runConcurrently">
    /// How to run a region's lanes side by side: body(0 … count−1), each index on one thread, returning when all are
    /// done (exceptions surface on the caller). Null runs them one after another on the caller's thread.
    /// </param>
    /// <param name="hugePages">Whether each run context asks for huge pages under its buffers and workspaces (<see cref="HugePages"/>).</param>
    public KernelExecutor(ExecutionPlan plan, Func<PlanStep, IKernel> createKernel, Action<int, Action<int>>? runConcurrently = null, bool hugePages = false)
    {
        _plan = plan;
        _hugePages = hugePages;
        _regions = ConcurrentRegion.Find(plan);
        _regionAt = new ConcurrentRegion?[plan.Steps.Count];
        foreach (ConcurrentRegion region in _regions) _regionAt[region.Start] = region;
        _runConcurrently = runConcurrently;
        _kernels = CreateKernels(plan, createKernel);
        _workspaceBytes = _kernels.Select(k => k?.WorkspaceBytes ?? 0).DefaultIfEmpty(0).Max();
        _laneWorkspaceBytes = _regions.Select(r => r.LaneSteps.Select((steps, lane) => lane == 0 ? 0 : steps.Select(s => _kernels[s]?.WorkspaceBytes ?? 0).DefaultIfEmpty(0).Max()).ToArray()).ToArray();
        (_slotOf, _slots, _exactSizesBufferBytes) = ChooseSlots(plan, _kernels, _regions);
        _isOutput = new bool[plan.Values.Count];
        foreach (int output in plan.Outputs) _isOutput[output] = true;
    }

    /// <summary>
    /// One kernel per step (none for views). A constant of <see cref="ExecutionPlan.Releasable"/> goes as soon as
    /// every step that reads it has been made and holds its own copy: compiling ResNet-50 then never has its
    /// weights twice in memory, once as they came and once packed.
    /// </summary>
    private const long ReleaseBatchBytes = 24L << 20;

    private static IKernel?[] CreateKernels(ExecutionPlan plan, Func<PlanStep, IKernel> createKernel)
    {
        var pending = new Dictionary<int, int>();
        var readRaw = new HashSet<int>(plan.Outputs);
        if (plan.Releasable.Count > 0)
            foreach (PlanStep step in plan.Steps)
                foreach (int v in step.Inputs)
                    if (v >= 0 && plan.Values[v].Constant is { } c && plan.Releasable.Contains(c)) pending[v] = pending.GetValueOrDefault(v) + 1;
        var kernels = new IKernel?[plan.Steps.Count];
        long releasedSinceCollection = 0;
        for (int s = 0; s < kernels.Length; s++)
        {
            PlanStep step = plan.Steps[s];
            if (step.Node.Op is ViewOp) { foreach (int v in step.Inputs) if (v >= 0) readRaw.Add(v); continue; }
            IKernel kernel = kernels[s] = createKernel(step);
            if (pending.Count == 0) continue;
            IReadOnlyList<int> held = kernel.HeldInputs;
            for (int i = 0; i < step.Inputs.Length; i++)
            {
                int v = step.Inputs[i];
                if (!pending.ContainsKey(v)) continue;
                if (!held.Contains(i)) readRaw.Add(v);
                if (--pending[v] != 0 || readRaw.Contains(v)) continue;
                Tensors.Tensor released = plan.Values[v].Constant!;
                releasedSinceCollection += (long)released.Length * released.ElementType.SizeInBytes();
                released.Release();
            }
            // Released weights are large-object-heap arrays, which only a full collection frees for the packed
            // copies still to come; without one, every packed copy is new memory and the load-time peak holds the
            // model twice. One collection per ReleaseBatchBytes released keeps the peak near one copy.
            if (releasedSinceCollection >= ReleaseBatchBytes)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
                releasedSinceCollection = 0;
            }
        }
        return kernels;
    }

    /// <summary>Buffer slots actually allocated per context (for tests and diagnostics).</summary>
    public int SlotCount => _slots.Length;

    /// <summary>The pooled buffer a value is written into, or −1 (constant, input, view, graph output): for tests.</summary>
    internal int SlotOf(int value) => _slotOf[value];

    /// <summary>For tests: the input whose buffer step <paramref name="step"/>'s kernel may write its output over (<see cref="IKernel.OutputOverwrites"/>), or −1.</summary>
    internal int OverwritesOf(int step) => _kernels[step]?.OutputOverwrites ?? -1;

    /// <summary>For tests: whether step <paramref name="step"/>'s output took a buffer of its own (<see cref="IKernel.OutputAlone"/>).</summary>
    internal bool OutputAloneOf(int step) => _kernels[step]?.OutputAlone ?? false;

    /// <summary>Bytes of pooled buffers one run context holds (the CPU's arena).</summary>
    public long BufferBytes => SlotBytes(_slots);

    private static long SlotBytes((ElementType Type, int Length)[] slots) => slots.Sum(s => (long)s.Length * s.Type.SizeInBytes());

    /// <summary>What the buffers would hold were each value given one of its own size only (never less than <see cref="BufferBytes"/>).</summary>
    internal long ExactSizesBufferBytes => _exactSizesBufferBytes;

    /// <summary>Elements of buffer slot <paramref name="slot"/> (a value may sit in a larger slot than itself).</summary>
    internal int SlotLength(int slot) => _slots[slot].Length;

    /// <summary>Bytes of the workspaces one run context holds (the largest step's scratch, plus each extra lane's).</summary>
    public long WorkspaceBytes => _workspaceBytes + _laneWorkspaceBytes.Sum(r => r.Sum());

    public long ContextBytes => BufferBytes + WorkspaceBytes;

    public string? DescribeStep(int step) => _kernels[step]?.Description;

    public long StepWorkspaceBytes(int step) => _kernels[step]?.WorkspaceBytes ?? 0;

    /// <summary>
    /// The slots of <see cref="AssignSlots"/> with a value free to take a larger freed buffer where none of its own size is
    /// free, unless that holds more bytes than buffers of exact sizes only (it held 1.5–7.3 MiB less per context across the
    /// zoo, ResNet-50 10.1 → 8.0; NOTES "Twenty-fifth sitting"). Also returns the exact sizes' bytes (tests, diagnostics).
    /// </summary>
    private static (int[] SlotOf, (ElementType, int)[] Slots, long ExactBytes) ChooseSlots(ExecutionPlan plan, IKernel?[] kernels, ConcurrentRegion[] regions)
    {
        var exact = AssignSlots(plan, kernels, regions, largerSlots: false);
        var larger = AssignSlots(plan, kernels, regions, largerSlots: true);
        long exactBytes = SlotBytes(exact.Slots);
        return SlotBytes(larger.Slots) <= exactBytes ? (larger.SlotOf, larger.Slots, exactBytes) : (exact.SlotOf, exact.Slots, exactBytes);
    }

    /// <summary>
    /// Slots by liveness; an output also takes over the buffer of the input its kernel may overwrite
    /// (<see cref="IKernel.OutputOverwrites"/>) when this step is that value's last reader, it is pooled, no view of it
    /// lives on, the step reads it nowhere else, and it has the output's type and size.
    /// <para>Inside a concurrent region each lane frees into a pool of its own, since its steps' order against the other
    /// lanes' is unknown: a lane takes buffers freed by itself or before the region. A value made before the region and
    /// last read in it is freed when the region ends (another lane may still be reading it), and the lanes' pools join
    /// the common one there.</para>
    /// <para>With <paramref name="largerSlots"/>, a value outside a region for which no freed buffer of its size is free
    /// takes the larger free one freed last (a new buffer before).</para>
    /// <para>An output whose kernel wants it alone (<see cref="IKernel.OutputAlone"/>) takes a new slot that no other value
    /// takes, before or after it.</para>
    /// </summary>
    private static (int[] SlotOf, (ElementType, int)[] Slots) AssignSlots(ExecutionPlan plan, IKernel?[] kernels, ConcurrentRegion[] regions, bool largerSlots)
    {
        int count = plan.Values.Count;
        var life = Lifetimes.Compute(plan, viewsAlias: true);
        var slotOf = Enumerable.Repeat(-1, count).ToArray();
        var slots = new List<(ElementType, int)>();
        var free = new Dictionary<(ElementType, int), Stack<int>>();
        var laneFree = new Dictionary<(int Lane, ElementType, int), Stack<int>>();
        var untilRegionEnds = new List<int>();
        var regionOf = Enumerable.Repeat(-1, plan.Steps.Count).ToArray();
        for (int r = 0; r < regions.Length; r++)
            for (int s = regions[r].Start; s < regions[r].End; s++) regionOf[s] = r;
        var releaseAt = new List<int>[plan.Steps.Count];
        var handedOn = new bool[count];
        // Values whose slot is theirs alone (IKernel.OutputAlone): never freed into a pool, never taken over.
        var alone = new bool[count];
        // Per slot (there are never more than values): when it was last freed (a count of frees), to find the larger free
        // buffer freed last.
        var freedAt = new long[count];
        long freed = 0;
        for (int s = 0; s < plan.Steps.Count; s++)
        {
            PlanStep step = plan.Steps[s];
            int lane = regionOf[s] >= 0 ? step.Lane : -1;
            int takenOver = TakenOver(plan, step, s, kernels[s], life, slotOf, regionOf, alone);
            if (takenOver >= 0)
            {
                slotOf[step.Outputs[0]] = slotOf[takenOver];
                handedOn[takenOver] = true;
                (releaseAt[life.Last[step.Outputs[0]]] ??= []).Add(step.Outputs[0]);
            }
            if (step.Node.Op is not ViewOp)
                foreach (int v in step.Outputs)
                {
                    if (life.Escapes[v] || plan.Values[v].Constant is not null || slotOf[v] >= 0) continue;
                    var key = (plan.Values[v].ElementType, (int)plan.Values[v].ElementCount);
                    if (v == step.Outputs[0] && kernels[s]?.OutputAlone == true)
                    {
                        // A slot of its own, never pooled (IKernel.OutputAlone): no release is booked for it.
                        slotOf[v] = slots.Count;
                        slots.Add(key);
                        alone[v] = true;
                        continue;
                    }
                    if (lane >= 0 && laneFree.TryGetValue((lane, key.Item1, key.Item2), out var mine) && mine.Count > 0) slotOf[v] = mine.Pop();
                    else if (free.TryGetValue(key, out var stack) && stack.Count > 0) slotOf[v] = stack.Pop();
                    // Outside regions, the larger free buffer freed last (its lines the likeliest still in cache).
                    else if (largerSlots && lane < 0 && LastFreedLarger(key) is { } larger) slotOf[v] = larger.Pop();
                    else { slotOf[v] = slots.Count; slots.Add(key); }
                    // Free after its last reader (or a view's); an unread output frees right after this step.
                    int release = life.Last[v];
                    (releaseAt[release] ??= []).Add(v);
                }
            // Buffers whose last reader is this step become free for the steps after it.
            if (releaseAt[s] is { } done)
                foreach (int v in done)
                {
                    if (handedOn[v]) continue;
                    if (lane < 0) Push(free, slots[slotOf[v]], slotOf[v]);
                    else if (MadeInLane(v, s)) Push(laneFree, (lane, slots[slotOf[v]].Item1, slots[slotOf[v]].Item2), slotOf[v]);
                    else untilRegionEnds.Add(v);
                }
            if (regionOf[s] >= 0 && regions[regionOf[s]].End == s + 1)
            {
                foreach (((int _, ElementType type, int length), Stack<int> stack) in laneFree)
                    foreach (int slot in stack) Push(free, (type, length), slot);
                laneFree.Clear();
                foreach (int v in untilRegionEnds) Push(free, slots[slotOf[v]], slotOf[v]);
                untilRegionEnds.Clear();
            }
        }
        return (slotOf, slots.ToArray());

        // Made by a step of this region and lane (so every reader of it is in this lane, ConcurrentRegion checks).
        bool MadeInLane(int v, int s)
        {
            int made = life.First[v];
            return made >= 0 && made < plan.Steps.Count && regionOf[made] == regionOf[s] && plan.Steps[made].Lane == plan.Steps[s].Lane;
        }

        // The stack of free slots of this type, larger than the key, whose top was freed last; null if none is free.
        Stack<int>? LastFreedLarger((ElementType Type, int Length) key)
        {
            Stack<int>? best = null;
            foreach (((ElementType type, int length), Stack<int> stack) in free)
                if (type == key.Type && length > key.Length && stack.Count > 0 && (best is null || freedAt[stack.Peek()] > freedAt[best.Peek()])) best = stack;
            return best;
        }

        void Push<TKey>(Dictionary<TKey, Stack<int>> pool, TKey key, int slot) where TKey : notnull
        {
            if (!pool.TryGetValue(key, out var stack)) pool[key] = stack = new Stack<int>();
            stack.Push(slot);
            freedAt[slot] = ++freed;
        }
    }

    /// <summary>The input value whose slot this step's output 0 takes over, or −1.</summary>
    private static int TakenOver(ExecutionPlan plan, PlanStep step, int s, IKernel? kernel, Lifetimes life, int[] slotOf, int[] regionOf, bool[] alone)
    {
        if (kernel is null || kernel.OutputAlone || kernel.OutputOverwrites is not (>= 0 and var at) || at >= step.Inputs.Length || step.Outputs.Length == 0) return -1;
        int v = step.Inputs[at], output = step.Outputs[0];
        if (v < 0 || slotOf[v] < 0 || alone[v] || life.Owner[v] != v || life.Last[v] != s || life.Escapes[v]) return -1;
        // In a region, only a value of this step's own lane: another lane may not have read a value from before the region yet.
        if (regionOf[s] >= 0 && (life.First[v] < 0 || regionOf[life.First[v]] != regionOf[s] || plan.Steps[life.First[v]].Lane != step.Lane)) return -1;
        if (life.Escapes[output] || plan.Values[output].Constant is not null) return -1;
        if (step.Inputs.Count(i => i >= 0 && life.Owner[i] == v) != 1) return -1;
        for (int u = 0; u < life.Owner.Length; u++) if (u != v && life.Owner[u] == v) return -1; // a view of it
        ValueInfo a = plan.Values[v], b = plan.Values[output];
        return a.ElementType == b.ElementType && a.ElementCount == b.ElementCount ? v : -1;
    }

    public Tensor[] Run(Tensor[] inputs, CancellationToken cancellation = default)
    {
        var outputs = new Tensor[_plan.Outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            var info = _plan.Values[_plan.Outputs[i]];
            outputs[i] = Tensor.CreateUninitialized(info.ElementType, info.Dims);
        }
        Run(inputs, outputs, cancellation);
        return outputs;
    }

    public void Run(Tensor[] inputs, Tensor[] outputs, CancellationToken cancellation = default) =>
        Run(inputs, outputs, cancellation, stepTicks: null);

    /// <summary>
    /// A run that also times each step, adding its <see cref="Stopwatch"/> ticks into
    /// <paramref name="stepTicks"/> (one entry per plan step): the per-layer profile of the benchmarks. With
    /// <paramref name="stepStarts"/>, each step's starting <see cref="Stopwatch"/> timestamp too (Engine.Bench `threads`
    /// places the kernels' parallel loops in their steps by it).
    /// </summary>
    public void Profile(Tensor[] inputs, Tensor[] outputs, long[] stepTicks, long[]? stepStarts = null)
    {
        if (stepTicks.Length != _plan.Steps.Count) throw new ArgumentException($"Need one entry per step ({_plan.Steps.Count}).", nameof(stepTicks));
        if (stepStarts is not null && stepStarts.Length != _plan.Steps.Count) throw new ArgumentException($"Need one entry per step ({_plan.Steps.Count}).", nameof(stepStarts));
        Run(inputs, outputs, CancellationToken.None, stepTicks, stepStarts);
    }

    private void Run(Tensor[] inputs, Tensor[] outputs, CancellationToken cancellation, long[]? stepTicks, long[]? stepStarts = null)
    {
        Context context = _contexts.TryTake(out var pooled) ? pooled : new Context(this);
        context.StepStarts = stepStarts;
        try { context.Execute(inputs, outputs, cancellation, stepTicks); }
        finally
        {
            context.StepStarts = null;
            _contexts.Add(context);
        }
    }

    /// <summary>
    /// Everything one run needs, built once and reused: the pooled buffers, a tensor over each, every
    /// step's argument arrays, and views of pooled buffers. A run only writes the inputs' and outputs'
    /// tensors into place, so a plan without views of its inputs runs without allocating.
    /// </summary>
    private sealed class Context
    {
        private readonly KernelExecutor _owner;
        private readonly Tensor?[] _values;
        private readonly bool[] _fixed;
        private readonly Tensor?[][] _stepInputs;
        private readonly Tensor[][] _stepOutputs;
        private readonly WorkspaceBuffer _workspace;
        /// <summary>Per region, per lane: the workspace the lane's steps borrow (lane 0: the context's own).</summary>
        private readonly WorkspaceBuffer[][] _laneWorkspaces;
        /// <summary>Runs one lane of <see cref="_region"/> (made once: a run allocates no delegate).</summary>
        private readonly Action<int> _runLane;
        private ConcurrentRegion? _region;
        private int _regionIndex;
        private CancellationToken _cancellation;
        private long[]? _stepTicks;

        /// <summary>Where this run records each step's starting timestamp (<see cref="Profile"/>), or null.</summary>
        public long[]? StepStarts;

        public Context(KernelExecutor owner)
        {
            _owner = owner;
            ExecutionPlan plan = owner._plan;
            (Array Data, int Offset)[] buffers = NewBuffers(owner._slots, owner._hugePages);
            _workspace = new WorkspaceBuffer(owner._workspaceBytes, owner._hugePages);
            _laneWorkspaces = owner._laneWorkspaceBytes.Select(r => r.Select((bytes, lane) => lane == 0 ? _workspace : new WorkspaceBuffer(bytes, owner._hugePages)).ToArray()).ToArray();
            _runLane = RunLane;
            _values = new Tensor?[plan.Values.Count];
            _fixed = new bool[plan.Values.Count];
            for (int v = 0; v < _values.Length; v++)
            {
                if (plan.Values[v].Constant is { } c) { _values[v] = c; _fixed[v] = true; }
                else if (owner._slotOf[v] >= 0)
                {
                    var (data, offset) = buffers[owner._slotOf[v]];
                    _values[v] = Tensor.Over(plan.Values[v].ElementType, plan.Values[v].Dims, data, offset);
                    _fixed[v] = true;
                }
            }
            // Views of pooled buffers are fixed too; views of inputs or outputs are made per run.
            foreach (PlanStep step in plan.Steps)
                if (step.Node.Op is ViewOp && step.Outputs.Length == 1 && _fixed[step.Inputs[0]] && plan.Values[step.Inputs[0]].Constant is null
                    && !plan.Outputs.Contains(step.Outputs[0]))
                {
                    _values[step.Outputs[0]] = _values[step.Inputs[0]]!.Reshaped(plan.Values[step.Outputs[0]].Dims);
                    _fixed[step.Outputs[0]] = true;
                }
            _stepInputs = plan.Steps.Select(s => new Tensor?[s.Inputs.Length]).ToArray();
            _stepOutputs = plan.Steps.Select(s => new Tensor[s.Outputs.Length]).ToArray();
        }

        public void Execute(Tensor[] inputs, Tensor[] outputs, CancellationToken cancellation, long[]? stepTicks)
        {
            ExecutionPlan plan = _owner._plan;
            for (int i = 0; i < plan.Inputs.Length; i++) _values[plan.Inputs[i]] = inputs[i];
            for (int i = 0; i < plan.Outputs.Length; i++)
                if (!_fixed[plan.Outputs[i]]) _values[plan.Outputs[i]] = outputs[i];

            try
            {
                for (int s = 0, r = 0; s < plan.Steps.Count; s++)
                {
                    if (_owner._regionAt[s] is { } region)
                    {
                        RunRegion(region, r++, cancellation, stepTicks);
                        s = region.End - 1;
                        continue;
                    }
                    RunStep(s, _workspace, cancellation, stepTicks);
                }

                for (int i = 0; i < outputs.Length; i++)
                {
                    // An output that is a constant, an input or a view of one ends up in another tensor: copy it in.
                    Tensor produced = _values[plan.Outputs[i]]!;
                    if (!ReferenceEquals(produced, outputs[i]) && !ReferenceEquals(produced.Data, outputs[i].Data)) produced.Bytes.CopyTo(outputs[i].Bytes);
                }
            }
            finally
            {
                // Also after a cancelled or failed run: the pooled context must not keep the caller's tensors alive.
                for (int i = 0; i < plan.Inputs.Length; i++) _values[plan.Inputs[i]] = null;
                for (int i = 0; i < plan.Outputs.Length; i++) if (!_fixed[plan.Outputs[i]]) _values[plan.Outputs[i]] = null;
                for (int s = 0; s < _stepInputs.Length; s++) Array.Clear(_stepInputs[s]);
            }
        }

        private void RunStep(int s, WorkspaceBuffer workspace, CancellationToken cancellation, long[]? stepTicks)
        {
            ExecutionPlan plan = _owner._plan;
            cancellation.ThrowIfCancellationRequested();
            long started = stepTicks is null ? 0 : Stopwatch.GetTimestamp();
            if (StepStarts is { } starts) starts[s] = started;
            PlanStep step = plan.Steps[s];
            Tensor?[] stepInputs = _stepInputs[s];
            for (int i = 0; i < stepInputs.Length; i++) stepInputs[i] = step.Inputs[i] < 0 ? null : _values[step.Inputs[i]];
            if (_owner._kernels[s] is { } kernel)
            {
                Tensor[] stepOutputs = _stepOutputs[s];
                // Every kernel writes its outputs in full (IKernel's contract), so nothing is cleared.
                for (int o = 0; o < stepOutputs.Length; o++)
                    stepOutputs[o] = _values[step.Outputs[o]] ?? Tensor.CreateUninitialized(plan.Values[step.Outputs[o]].ElementType, plan.Values[step.Outputs[o]].Dims);
                kernel.Run(stepInputs, stepOutputs, workspace.Workspace);
                GC.KeepAlive(workspace); // the Workspace handed over is a raw pointer into it
                for (int o = 0; o < stepOutputs.Length; o++) _values[step.Outputs[o]] = stepOutputs[o];
            }
            else if (step.Outputs.Length == 1 && _owner._isOutput[step.Outputs[0]] && !_fixed[step.Outputs[0]]
                && _values[step.Outputs[0]] is { } target && target.ElementType == stepInputs[0]!.ElementType)
                // A view that is a plan output (a final Flatten): its data goes straight into the caller's
                // tensor, rather than into a new view object every run.
                stepInputs[0]!.Bytes.CopyTo(target.Bytes);
            else if (!_fixed[step.Outputs[0]] || step.Outputs.Length > 1) RunView(plan, step, stepInputs[0]!, _values);
            // Each step has its own entry, so lanes running side by side never add into the same one.
            if (stepTicks is not null) stepTicks[s] += Stopwatch.GetTimestamp() - started;
        }

        /// <summary>A region's lanes, side by side when the backend gave a way to, else one after another.</summary>
        private void RunRegion(ConcurrentRegion region, int index, CancellationToken cancellation, long[]? stepTicks)
        {
            (_region, _regionIndex, _cancellation, _stepTicks) = (region, index, cancellation, stepTicks);
            try
            {
                if (_owner._runConcurrently is { } concurrently && region.Lanes > 1) concurrently(region.Lanes, _runLane);
                else for (int lane = 0; lane < region.Lanes; lane++) RunLane(lane);
            }
            finally { (_region, _stepTicks) = (null, null); }
        }

        private void RunLane(int lane)
        {
            WorkspaceBuffer workspace = _laneWorkspaces[_regionIndex][lane];
            foreach (int s in _region!.LaneSteps[lane]) RunStep(s, workspace, _cancellation, _stepTicks);
        }
    }

    /// <summary>
    /// One array per slot for the rare non-float values; the float slots share one pinned arena in which each
    /// starts on a 64-byte boundary (16 floats), so every kernel's vector loads of a whole buffer are aligned.
    /// </summary>
    private static unsafe (Array, int)[] NewBuffers((ElementType Type, int Length)[] slots, bool hugePages)
    {
        const int floatsPerLine = WorkspaceBuffer.Alignment / sizeof(float);
        long floats = slots.Where(s => s.Type == ElementType.Float32).Sum(s => (s.Length + floatsPerLine - 1L) / floatsPerLine * floatsPerLine);
        if (floats + floatsPerLine > Array.MaxLength)
            throw new CardinalException($"The plan's intermediate values need {floats} floats at once, more than one arena can hold.");
        float[] arena = GC.AllocateUninitializedArray<float>((int)floats + floatsPerLine, pinned: true);
        if (hugePages) HugePages.Advise(arena);
        long address = (long)System.Runtime.CompilerServices.Unsafe.AsPointer(ref arena[0]);
        int next = (int)((WorkspaceBuffer.Alignment - address % WorkspaceBuffer.Alignment) % WorkspaceBuffer.Alignment / sizeof(float));
        var buffers = new (Array, int)[slots.Length];
        for (int i = 0; i < slots.Length; i++)
        {
            if (slots[i].Type != ElementType.Float32) { buffers[i] = (Tensor.Create(slots[i].Type, [slots[i].Length]).Data, 0); continue; }
            buffers[i] = (arena, next);
            next += (slots[i].Length + floatsPerLine - 1) / floatsPerLine * floatsPerLine;
        }
        return buffers;
    }

    private static void RunView(ExecutionPlan plan, PlanStep step, Tensor input, Tensor?[] slots)
    {
        for (int o = 0; o < step.Outputs.Length; o++)
        {
            var info = plan.Values[step.Outputs[o]];
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
