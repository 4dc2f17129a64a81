using System.Text;
using Cardinal.Diagnostics;
using Cardinal.Graph;
using Cardinal.Passes;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal;

/// <summary>
/// A loaded model on one backend. Plans are made per distinct input signature (shapes, plus the values of
/// integer inputs, which can decide shapes) and cached; one session may be used from several threads.
/// </summary>
public sealed partial class InferenceSession : IDisposable
{
    /// <summary>Distinct input signatures kept compiled at once; the oldest is dropped past this.</summary>
    private const int MaxCachedPlans = 8;

    private readonly ModelGraph _graph;
    private readonly IBackend _backend;
    private readonly SessionOptions _options;
    private readonly bool _ownsBackend;
    private readonly object _gate = new();
    private readonly LinkedList<(string Key, ExecutionPlan Plan, ICompiledPlan Compiled)> _plans = new();
    private bool _disposed;
    /// <summary>Initializers this session created (folded weights): the only tensors it may release.</summary>
    private readonly HashSet<Tensor> _madeHere = new(ReferenceEqualityComparer.Instance);

    /// <summary>The model's inputs as it declares them (name, type, dimensions).</summary>
    public IReadOnlyList<TensorInfo> Inputs => _graph.Inputs;
    /// <summary>The values a run returns: the model's outputs, then any <see cref="SessionOptions.ExtraOutputs"/>.</summary>
    public IReadOnlyList<TensorInfo> Outputs => _graph.Outputs;
    /// <summary>The graph this session runs: with fusion on, a copy with BatchNorm folded into the convolutions.</summary>
    public ModelGraph Graph => _graph;
    /// <summary>The backend the session runs on.</summary>
    public IBackend Backend => _backend;

    private InferenceSession(ModelGraph graph, IBackend backend, SessionOptions options, bool ownsBackend)
    {
        _graph = graph;
        _backend = backend;
        _options = options;
        _ownsBackend = ownsBackend;
        Name = options.Name ?? (graph.Name.Length > 0 ? graph.Name : "model");
    }

    /// <summary>The model's name in metrics and traces (<see cref="SessionOptions.Name"/>, else the graph's name).</summary>
    public string Name { get; }

    /// <summary>The options the session was opened with.</summary>
    public SessionOptions Options => _options;

    /// <summary>What the model file says about itself: producer, description, properties (<see cref="ModelGraph.Metadata"/>).</summary>
    public ModelMetadata Metadata => _graph.Metadata;

    /// <summary>
    /// Opens a session. When every input's shape is fixed (or only a symbolic batch-like dimension is not),
    /// the graph is planned right away with symbols as 1, so shape errors surface here, not at the first run.
    /// </summary>
    /// <param name="graph">The model, e.g. from <c>OnnxImporter.Load</c>.</param>
    /// <param name="backend">Where it runs: a <c>CpuBackend</c> or a <c>GpuBackend</c>.</param>
    /// <param name="options">
    /// Fusion on/off and the name. The device and threads are <paramref name="backend"/>'s own: options that set
    /// <see cref="SessionOptions.Device"/>, <see cref="SessionOptions.Threads"/> or <see cref="SessionOptions.ShareThreads"/>
    /// are refused here (they would go unread); <c>CardinalSession.Open</c> reads them to make the backend.
    /// </param>
    /// <param name="ownsBackend">Dispose the backend with the session.</param>
    /// <param name="ownsGraph">
    /// Nothing but this session reads <paramref name="graph"/>'s tensors (a graph loaded for it alone): weights the
    /// backend holds its own packed copy of may then be released (<see cref="Tensor.IsReleased"/>), so a model's
    /// weights do not live twice. Weights the session makes itself (BatchNorm folding) are released either way.
    /// </param>
    /// <remarks>
    /// With fusion on, the session runs a copy of <paramref name="graph"/> with BatchNorm folded into the
    /// convolution weights; a caller who drops its own reference lets the unfolded weights go.
    /// </remarks>
    public static InferenceSession Open(ModelGraph graph, IBackend backend, SessionOptions? options = null, bool ownsBackend = true,
        bool ownsGraph = false)
    {
        options ??= new SessionOptions();
        if (options.ChoosesBackend)
            throw new ArgumentException("SessionOptions.Device, Threads and ShareThreads choose the backend, and this overload takes one already made: " +
                "set them on the backend (CpuBackendOptions.Threads, CpuBackendOptions.ThreadPool), or open with CardinalSession.Open, which reads them.", nameof(options));
        ModelGraph source = graph;
        // Requested values become graph outputs first, so every pass after keeps them (see RequestedOutputs).
        graph = RequestedOutputs.Add(graph, options.ExtraOutputs);
        if (options.Fuse) graph = FoldBatchNormIntoConv.Apply(graph);
        var session = new InferenceSession(graph, backend, options, ownsBackend);
        // The folded weights are the session's own; the caller's tensors may be shared with other sessions, unless
        // the caller says the graph is the session's.
        var theirs = new HashSet<Tensor>(ownsGraph ? [] : source.Initializers.Values, ReferenceEqualityComparer.Instance);
        foreach (Tensor t in graph.Initializers.Values) if (!theirs.Contains(t)) session._madeHere.Add(t);
        try
        {
            if (graph.Inputs.All(i => i.Dims is not null && i.ElementType == ElementType.Float32))
                session.PlanFor(graph.Inputs.Select(i => new SpecializedInput(
                    i.Dims!.Select(d => d.Size ?? 1).ToArray(), null)).ToArray());
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return session;
    }

    /// <summary>Runs the model on named inputs and returns every output by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (string name in inputs.Keys)
            if (!_graph.Inputs.Any(i => i.Name == name))
                throw new InputMismatchException($"The model has no input named '{name}'; its inputs are {string.Join(", ", _graph.Inputs.Select(i => $"'{i.Name}'"))}.");
        var ordered = new Tensor[_graph.Inputs.Count];
        for (int i = 0; i < ordered.Length; i++)
        {
            TensorInfo info = _graph.Inputs[i];
            if (!inputs.TryGetValue(info.Name, out Tensor? t))
                throw new InputMismatchException($"Input '{info.Name}' ({info.ElementType.Name()}{info.ShapeText}) was not given.");
            Check(info, t);
            ordered[i] = t;
        }

        var (plan, compiled) = PlanFor(ordered.Select(ToSpecialized).ToArray());
        Tensor[] runtimeInputs = plan.Inputs.Select(id => ordered[_graph.Inputs.FindIndex(i => i.Name == plan.Values[id].Name)]).ToArray();
        Tensor[] outputs;
        using (var scope = CardinalTelemetry.StartRun(Name, BatchOf(ordered)))
        {
            outputs = compiled.Run(runtimeInputs, cancellation);
            scope.Complete();
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < outputs.Length; i++) result[_graph.Outputs[i].Name] = outputs[i];
        return result;
    }

    /// <summary>
    /// Runs a one-input, one-output model into <paramref name="output"/> (the planned shape; see
    /// <see cref="PlanForShapes"/>). After the first run at a shape this allocates nothing on the CPU
    /// backend: the plan is found without building a key, and buffers come from the run-context pool.
    /// </summary>
    public void Run(Tensor input, Tensor output, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireSingleFloatInput();
        Check(_graph.Inputs[0], input); // the declared type is float, so the tensor is too
        LastPlan last = LastPlanFor(input.Dims);
        if (output.ElementType != last.Output.ElementType || !output.Dims.SequenceEqual(last.Output.Dims))
            throw new InputMismatchException($"Output must be {last.Output.ElementType.Name()}{TensorShape.Format(last.Output.Dims)}, got {output}.");
        RunPlanned(last, input, output, cancellation);
    }

    /// <summary>
    /// A recent single-input plan, found by comparing dims (no key, no allocation); also the pool of
    /// staging tensors the span overloads copy through.
    /// </summary>
    private sealed class LastPlan(int[] dims, ExecutionPlan plan, ICompiledPlan compiled)
    {
        public int[] Dims { get; } = dims;
        public ExecutionPlan Plan { get; } = plan;
        public ICompiledPlan Compiled { get; } = compiled;
        public ValueInfo Output { get; } = plan.Values[plan.Outputs[0]];
        public System.Collections.Concurrent.ConcurrentBag<(Tensor Input, Tensor Output)> Staging { get; } = [];
    }

    /// <summary>
    /// The last few single-input plans, newest first, replaced whole (copy on write). A few, not one: a
    /// batcher alternates batch sizes, and each switch would otherwise rebuild the entry and its pool.
    /// </summary>
    private volatile LastPlan[] _recent = [];
    private const int RecentPlans = 4;
    [ThreadStatic] private static Tensor[]? t_inputs, t_outputs;

    /// <summary>The plan for a single float input of these dims; a recent one is found without allocating.</summary>
    private LastPlan LastPlanFor(ReadOnlySpan<int> dims)
    {
        LastPlan[] recent = _recent;
        for (int i = 0; i < recent.Length; i++)
            if (dims.SequenceEqual(recent[i].Dims)) return recent[i];
        return AddRecentPlan(dims.ToArray());
    }

    /// <summary>
    /// The slow path, in its own method: a lambda here would have its closure allocated on entry to the
    /// method that declares the captured variable, fast path included.
    /// </summary>
    private LastPlan AddRecentPlan(int[] dims)
    {
        CheckShape(_graph.Inputs[0], dims);
        var (plan, compiled) = PlanFor([new SpecializedInput(dims, null)]);
        var added = new LastPlan(dims, plan, compiled);
        lock (_gate) _recent = [added, .. _recent.Where(r => r.Plan != plan).Take(RecentPlans - 1)];
        return added;
    }

    private void RunPlanned(LastPlan last, Tensor input, Tensor output, CancellationToken cancellation)
    {
        Tensor[] inputs = t_inputs ??= new Tensor[1], outputs = t_outputs ??= new Tensor[1];
        inputs[0] = input;
        outputs[0] = output;
        using var scope = CardinalTelemetry.StartRun(Name, last.Dims.Length > 0 ? last.Dims[0] : 1);
        try
        {
            last.Compiled.Run(last.Plan.Inputs.Length == 1 ? inputs : [], outputs, cancellation);
            scope.Complete();
        }
        finally { inputs[0] = null!; outputs[0] = null!; }
    }

    private static int BatchOf(Tensor[] inputs) => inputs.Length > 0 && inputs[0].Rank > 0 ? inputs[0].Dims[0] : 1;

    /// <summary>Runs a model that has exactly one input and returns its first output.</summary>
    public Tensor Run(Tensor input, CancellationToken cancellation = default)
    {
        if (_graph.Inputs.Count != 1)
            throw new InputMismatchException($"The model has {_graph.Inputs.Count} inputs; name them.");
        return Run(new Dictionary<string, Tensor> { [_graph.Inputs[0].Name] = input }, cancellation)[_graph.Outputs[0].Name];
    }

    /// <summary>
    /// The plan this session runs for the given input shapes (all float inputs), for inspection: after fusion
    /// and the backend's own passes (<see cref="IBackend.Passes"/>), as compiled.
    /// </summary>
    internal ExecutionPlan PlanForShapes(IReadOnlyList<int[]> shapes)
    {
        if (shapes.Count != _graph.Inputs.Count) throw new InputMismatchException($"Expected {_graph.Inputs.Count} input shapes.");
        for (int i = 0; i < shapes.Count; i++) CheckShape(_graph.Inputs[i], shapes[i]);
        return PlanFor(shapes.Select(s => new SpecializedInput(s, null)).ToArray()).Plan;
    }

    /// <summary>The compiled plan for these input shapes (for diagnostics such as buffer sizes).</summary>
    internal ICompiledPlan CompiledPlanFor(IReadOnlyList<int[]> shapes)
    {
        for (int i = 0; i < shapes.Count; i++) CheckShape(_graph.Inputs[i], shapes[i]);
        return PlanFor(shapes.Select(s => new SpecializedInput(s, null)).ToArray()).Compiled;
    }

    private static SpecializedInput ToSpecialized(Tensor t) =>
        // Integer and bool inputs may decide shapes (Reshape's target, Split's sizes): plan with their values.
        new(t.Shape(), t.ElementType == ElementType.Float32 ? null : t);

    private (ExecutionPlan Plan, ICompiledPlan Compiled) PlanFor(SpecializedInput[] inputs)
    {
        string key = Key(inputs);
        lock (_gate)
        {
            for (var n = _plans.First; n is not null; n = n.Next)
                if (n.Value.Key == key) return (n.Value.Plan, n.Value.Compiled);
            ExecutionPlan plan = Planner.Plan(_graph, inputs, _backend);
            if (_options.Fuse) plan = PlanPasses.Optimize(plan);
            plan = PlanPasses.ForBackend(plan, _backend, _options.Fuse);
            // Weights this session owns (folded here, or the whole graph when it was handed over) are let go as the
            // backend packs them, layer by layer (KernelExecutor): ResNet-50's 97 MiB would otherwise live beside
            // their packed twins. Tensors a caller still shares are never in this set.
            if (_madeHere.Count > 0) plan = plan.WithReleasable(_madeHere);
            ICompiledPlan compiled = _backend.Compile(plan);
            _plans.AddFirst((key, plan, compiled));
            if (_plans.Count > MaxCachedPlans)
            {
                _recent = [];
                _bound = [];
                // Runs in flight hold their own reference; compiled plans hold no unmanaged state yet.
                _plans.Last!.Value.Compiled.Dispose();
                _plans.RemoveLast();
            }
            return (plan, compiled);
        }
    }

    private static string Key(SpecializedInput[] inputs)
    {
        var sb = new StringBuilder();
        foreach (var input in inputs)
        {
            sb.Append(string.Join(',', input.Dims)).Append('|');
            if (input.Value is { } v) sb.Append(string.Join(',', v.ToInt64Array())).Append('|');
        }
        return sb.ToString();
    }

    private static void Check(TensorInfo info, Tensor t)
    {
        if (t.ElementType != info.ElementType)
            throw new InputMismatchException($"Input '{info.Name}' must be {info.ElementType.Name()}, got {t.ElementType.Name()}.");
        CheckShape(info, t.Dims);
    }

    private static void CheckShape(TensorInfo info, ReadOnlySpan<int> dims)
    {
        if (info.Dims is null) return;
        bool ok = dims.Length == info.Dims.Count;
        for (int d = 0; ok && d < dims.Length; d++)
            ok = info.Dims[d].Size is not int size || size == dims[d];
        if (!ok)
            throw new InputMismatchException($"Input '{info.Name}' must have shape {info.ShapeText}, got {TensorShape.Format(dims)}.");
    }

    /// <summary>Releases the plans, their buffers and, when the session owns it, the backend.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_gate)
        {
            _recent = [];
            _bound = [];
            foreach (var p in _plans) p.Compiled.Dispose();
            _plans.Clear();
        }
        if (_ownsBackend) _backend.Dispose();
    }
}
