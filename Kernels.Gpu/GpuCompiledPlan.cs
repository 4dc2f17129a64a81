using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Gpu.Kernels;
using Cardinal.Planning;
using Cardinal.Tensors;
using ILGPU;
using ILGPU.Runtime;

namespace Cardinal.Kernels.Gpu;

/// <summary>
/// A plan made ready on one device: the constants the steps read are uploaded once, every other value gets
/// an offset in one device arena (<see cref="ArenaPlanner"/>), and each step becomes one or a few kernel
/// launches on the accelerator's default stream, their arguments fixed here. A run uploads the inputs,
/// launches everything, waits once, and downloads the outputs. Runs are serialised: they share the arena.
/// </summary>
internal sealed class GpuCompiledPlan : ICompiledPlan
{
    /// <summary>
    /// Groups narrower than this many output channels take the direct kernel: a 32-wide GEMM tile over
    /// ResNeXt-50's 4 channels per group would spend 7/8 of its work on padding.
    /// </summary>
    internal const int MinChannelsPerGroupForTiles = 16;

    private readonly GpuBackend _backend;
    private readonly ExecutionPlan _plan;
    private readonly ArenaPlanner.Layout _layout;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _arena;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _placeholder;
    private readonly Dictionary<int, MemoryBuffer1D<float, Stride1D.Dense>> _constants = [];
    private readonly List<IDisposable> _owned = [];
    private readonly List<Action> _launches = [];
    /// <summary>What each step runs, recorded as it is prepared (for `cardinal inspect`).</summary>
    private readonly Dictionary<PlanStep, string> _descriptions = [];
    private readonly object _gate = new();

    public GpuCompiledPlan(GpuBackend backend, ExecutionPlan plan)
    {
        _backend = backend;
        _plan = plan;
        _layout = ArenaPlanner.Plan(plan);
        Accelerator a = backend.Accelerator;
        try
        {
            _arena = a.Allocate1D<float>(Math.Max(1, _layout.TotalElements));
            _placeholder = a.Allocate1D<float>(1);
            foreach (PlanStep step in plan.Steps) _launches.AddRange(Prepare(step));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string? DescribeStep(int step) => _descriptions.GetValueOrDefault(_plan.Steps[step]);

    public Tensor[] Run(Tensor[] inputs, CancellationToken cancellation = default)
    {
        var outputs = _plan.Outputs.Select(id => Tensor.Create(_plan.Values[id].ElementType, _plan.Values[id].Dims)).ToArray();
        Run(inputs, outputs, cancellation);
        return outputs;
    }

    public void Run(Tensor[] inputs, Tensor[] outputs, CancellationToken cancellation = default)
    {
        lock (_gate)
        {
            for (int i = 0; i < _plan.Inputs.Length; i++) View(_plan.Inputs[i]).CopyFromCPU((ReadOnlySpan<float>)inputs[i].Floats);
            foreach (Action launch in _launches)
            {
                cancellation.ThrowIfCancellationRequested();
                launch();
            }
            _backend.Accelerator.Synchronize();
            for (int o = 0; o < outputs.Length; o++)
            {
                if (_plan.Values[_plan.Outputs[o]].Constant is { } c) c.Bytes.CopyTo(outputs[o].Bytes);
                else View(_plan.Outputs[o]).CopyToCPU(outputs[o].Floats);
            }
        }
    }

    /// <summary>The device memory of a value: its constant buffer, or its window of the arena.</summary>
    private ArrayView<float> View(int id)
    {
        ValueInfo info = _plan.Values[id];
        if (info.Constant is { } constant)
        {
            if (!_constants.TryGetValue(id, out var buffer))
            {
                if (constant.ElementType != ElementType.Float32)
                    throw new UnsupportedModelException($"Constant '{info.Name}' is {constant.ElementType.Name()}; the {_backend.Kind} backend computes in float32 only.");
                buffer = _backend.Accelerator.Allocate1D(constant.Floats.ToArray());
                _constants[id] = buffer;
            }
            return buffer.View.AsContiguous();
        }
        return _arena.View.AsContiguous().SubView(_layout.OffsetOf(id), Math.Max(1, info.ElementCount));
    }

    private ArrayView<float> Optional(int id) => id >= 0 ? View(id) : _placeholder.View.AsContiguous();

    private ArrayView<int> Upload(int[] values)
    {
        var buffer = _backend.Accelerator.Allocate1D(values);
        _owned.Add(buffer);
        return buffer.View.AsContiguous();
    }

    private ArrayView<float> Upload(float[] values)
    {
        var buffer = _backend.Accelerator.Allocate1D(values);
        _owned.Add(buffer);
        return buffer.View.AsContiguous();
    }

    private IEnumerable<Action> Prepare(PlanStep step)
    {
        Node node = step.Node;
        ValueInfo?[] ins = _plan.InputsOf(step);
        ValueInfo[] outs = _plan.OutputsOf(step);
        foreach (ValueInfo v in ins.Where(v => v is not null && v.Constant is null).Concat(outs)!)
            if (v!.ElementType != ElementType.Float32)
                throw Unsupported(node, $"value '{v.Name}' is {v.ElementType.Name()}; the device computes in float32 only");
        LoadedKernels k = _backend.Kernels;
        int count = (int)outs[0].ElementCount;

        switch (node.Op)
        {
            case ConvOp conv:
            {
                ConvParams p = ConvParamsFor(conv, node, ins[0]!, ins[1]!, outs[0], step);
                var (x, w, bias, residual, y) = (View(step.Inputs[0]), View(step.Inputs[1]), Optional(InputAt(step, 2)), Optional(InputAt(step, 3)), View(step.Outputs[0]));
                if (p.MPerGroup < MinChannelsPerGroupForTiles)
                {
                    _descriptions[step] = "direct grouped kernel";
                    return [() => k.Direct(count, x, w, bias, residual, y, p)];
                }
                _descriptions[step] = "implicit GEMM, shared-memory tiles";
                var config = new KernelConfig(new Index3D((p.P + ConvKernels.TileP - 1) / ConvKernels.TileP, (p.MPerGroup + ConvKernels.TileM - 1) / ConvKernels.TileM, p.Group),
                    new Index3D(ConvKernels.Threads, 1, 1));
                return [() => k.ImplicitGemm(config, x, w, bias, residual, y, p)];
            }
            case PoolOp pool:
            {
                if (outs.Length > 1) throw Unsupported(node, "MaxPool's Indices output");
                PoolParams p = PoolParamsFor(pool.Geometry(node, ins[0]!), pool.CountIncludePad);
                var (x, y) = (View(step.Inputs[0]), View(step.Outputs[0]));
                return pool.Kind == PoolKind.Max ? [() => k.MaxPool(count, x, y, p)] : [() => k.AveragePool(count, x, y, p)];
            }
            case GlobalAveragePoolOp:
            {
                int size = TensorShape.ElementCount(ins[0]!.Dims.AsSpan(2));
                var (x, y) = (View(step.Inputs[0]), View(step.Outputs[0]));
                return [() => k.GlobalAverage(count, x, y, size)];
            }
            case BinaryOp binary:
            {
                int op = binary.Kind switch { BinaryKind.Add => ElementwiseKernels.Add, BinaryKind.Sub => ElementwiseKernels.Sub, BinaryKind.Mul => ElementwiseKernels.Mul, _ => ElementwiseKernels.Div };
                ArrayView<int> meta = Upload(BroadcastMeta(outs[0].Dims, ins[0]!.Dims, binary.EffectiveShapeOfB(ins[0]!.Dims, ins[1]!.Dims)));
                var (a, b, c) = (View(step.Inputs[0]), View(step.Inputs[1]), View(step.Outputs[0]));
                return [() => k.Binary(count, a, b, c, meta, op)];
            }
            case SumOp:
            {
                var y = View(step.Outputs[0]);
                var launches = new List<Action>();
                if (ins.Length == 1) return [CopyAll(View(step.Inputs[0]), y, count)];
                for (int i = 1; i < ins.Length; i++)
                {
                    var a = i == 1 ? View(step.Inputs[0]) : y;
                    int[] aDims = i == 1 ? ins[0]!.Dims : outs[0].Dims;
                    ArrayView<int> meta = Upload(BroadcastMeta(outs[0].Dims, aDims, ins[i]!.Dims));
                    var b = View(step.Inputs[i]);
                    launches.Add(() => k.Binary(count, a, b, y, meta, ElementwiseKernels.Add));
                }
                return launches;
            }
            case UnaryOp unary:
            {
                var (x, y) = (View(step.Inputs[0]), View(step.Outputs[0]));
                return unary.Kind == UnaryKind.Relu ? [() => k.Relu(count, x, y)] : [() => k.Sigmoid(count, x, y)];
            }
            case ClipOp:
            {
                float? low = ConstantScalar(node, ins, 1), high = ConstantScalar(node, ins, 2);
                var (x, y) = (View(step.Inputs[0]), View(step.Outputs[0]));
                return [() => k.Clip(count, x, y, low ?? 0f, high ?? 0f, low.HasValue ? 1 : 0, high.HasValue ? 1 : 0)];
            }
            case BatchNormOp bn:
            {
                var parameters = ins.Skip(1).Take(4).Select(v => v?.Constant ?? throw Unsupported(node, "BatchNormalization parameters computed at run time")).ToArray();
                int channels = ins[0]!.Dims[1], plane = channels == 0 ? 0 : count / (ins[0]!.Dims[0] * channels);
                float[] scale = new float[channels], shift = new float[channels];
                BatchNormFolding.ScaleShift(parameters[0].Floats, parameters[1].Floats, parameters[2].Floats, parameters[3].Floats, bn.Epsilon, scale, shift);
                var (x, y, s, t) = (View(step.Inputs[0]), View(step.Outputs[0]), Upload(scale), Upload(shift));
                return [() => k.ScaleShift(count, x, y, s, t, channels, Math.Max(1, plane))];
            }
            case SoftmaxOp softmax:
            {
                var (outer, length, stride) = softmax.Layout(node, ins[0]!.Dims);
                var (x, y) = (View(step.Inputs[0]), View(step.Outputs[0]));
                int runs = outer * stride;
                return [() => k.Softmax(runs, x, y, length, stride)];
            }
            case GemmOp gemm:
            {
                var (m, n, kk) = gemm.Sizes(node, ins[0]!, ins[1]!);
                int[] aDims = ins[0]!.Dims, bDims = ins[1]!.Dims;
                var p = new GemmParams
                {
                    M = m, N = n, K = kk, Alpha = gemm.Alpha, Beta = gemm.Beta,
                    ARow = gemm.TransA ? 1 : aDims[1], ACol = gemm.TransA ? aDims[1] : 1,
                    BRow = gemm.TransB ? 1 : bDims[1], BCol = gemm.TransB ? bDims[1] : 1,
                };
                int cId = InputAt(step, 2);
                if (cId >= 0 && gemm.Beta != 0)
                {
                    int[] strides = Broadcast.StridesFor(_plan.Values[cId].Dims, [m, n]);
                    (p.CRow, p.CCol, p.HasC) = (strides[0], strides[1], 1);
                }
                var (a, b, c, y) = (View(step.Inputs[0]), View(step.Inputs[1]), Optional(p.HasC == 1 ? cId : -1), View(step.Outputs[0]));
                return [() => k.Gemm(count, a, b, c, y, p)];
            }
            case MatMulOp:
            {
                int[] aDims = ins[0]!.Dims, bDims = ins[1]!.Dims;
                if (aDims.Length != 2 || bDims.Length != 2) throw Unsupported(node, "MatMul beyond 2-D operands");
                var p = new GemmParams { M = aDims[0], N = bDims[1], K = aDims[1], Alpha = 1f, ARow = aDims[1], ACol = 1, BRow = bDims[1], BCol = 1 };
                var (a, b, y) = (View(step.Inputs[0]), View(step.Inputs[1]), View(step.Outputs[0]));
                var none = _placeholder.View.AsContiguous();
                return [() => k.Gemm(count, a, b, none, y, p)];
            }
            case ConcatOp concat:
            {
                int axis = TensorShape.NormalizeAxis(concat.Axis, outs[0].Rank, node.Describe());
                int inner = TensorShape.ElementCount(outs[0].Dims.AsSpan(axis + 1));
                int outRow = outs[0].Dims[axis] * inner, offset = 0;
                var y = View(step.Outputs[0]);
                var launches = new List<Action>();
                for (int i = 0; i < ins.Length; i++)
                {
                    int chunk = ins[i]!.Dims[axis] * inner, length = (int)ins[i]!.ElementCount, at = offset;
                    var x = View(step.Inputs[i]);
                    if (length > 0) launches.Add(() => k.CopyStrided(length, x, y, chunk, outRow, at));
                    offset += chunk;
                }
                return launches;
            }
            case ViewOp when outs.Length == 1:
                return [CopyAll(View(step.Inputs[0]), View(step.Outputs[0]), count)];
            default:
                throw Unsupported(node, node.OpType);
        }
    }

    private Action CopyAll(ArrayView<float> x, ArrayView<float> y, int count)
    {
        var copy = _backend.Kernels.CopyStrided;
        return () => { if (count > 0) copy(count, x, y, count, count, 0); };
    }

    private static int InputAt(PlanStep step, int i) => i < step.Inputs.Length ? step.Inputs[i] : -1;

    private float? ConstantScalar(Node node, ValueInfo?[] ins, int i)
    {
        if (i >= ins.Length || ins[i] is null) return null;
        return ins[i]!.Constant is { } c ? c.Floats[0] : throw Unsupported(node, "Clip bounds computed at run time");
    }

    private UnsupportedModelException Unsupported(Node node, string what) =>
        new($"{node.Describe()}: {what} is not supported on the {_backend.Kind} backend (it runs on Device.Cpu).");

    /// <summary>[rank, out dims…, a strides…, b strides…] for <see cref="ElementwiseKernels.Binary"/>.</summary>
    private static int[] BroadcastMeta(int[] outDims, int[] aDims, int[] bDims)
    {
        int rank = Math.Max(1, outDims.Length);
        int[] dims = outDims.Length == 0 ? [1] : outDims;
        int[] sa = outDims.Length == 0 ? [0] : Broadcast.StridesFor(aDims, outDims);
        int[] sb = outDims.Length == 0 ? [0] : Broadcast.StridesFor(bDims, outDims);
        return [rank, .. dims, .. sa, .. sb];
    }

    private static ConvParams ConvParamsFor(ConvOp conv, Node node, ValueInfo x, ValueInfo w, ValueInfo y, PlanStep step)
    {
        Window3D g = Window3D.From(conv.Geometry(node, x, w));
        int m = w.Dims[0], c = x.Dims[1];
        var p = new ConvParams
        {
            N = x.Dims[0], C = c, M = m,
            InD = g.InD, InH = g.InH, InW = g.InW, OutD = g.OutD, OutH = g.OutH, OutW = g.OutW,
            KD = g.KD, KH = g.KH, KW = g.KW, SD = g.SD, SH = g.SH, SW = g.SW, DD = g.DD, DH = g.DH, DW = g.DW,
            PD = g.PadD, PH = g.PadH, PW = g.PadW,
            Group = conv.Group, CPerGroup = c / conv.Group, MPerGroup = m / conv.Group,
            HasBias = InputAt(step, 2) >= 0 ? 1 : 0, HasResidual = conv.Epilogue.Residual ? 1 : 0, Relu = conv.Epilogue.Relu ? 1 : 0,
        };
        p.K = p.CPerGroup * p.KD * p.KH * p.KW;
        p.P = (int)(y.ElementCount / m);
        return p;
    }

    private static PoolParams PoolParamsFor(WindowGeometry geometry, bool countIncludePad)
    {
        Window3D g = Window3D.From(geometry);
        return new PoolParams
        {
            InD = g.InD, InH = g.InH, InW = g.InW, OutD = g.OutD, OutH = g.OutH, OutW = g.OutW,
            KD = g.KD, KH = g.KH, KW = g.KW, SD = g.SD, SH = g.SH, SW = g.SW, DD = g.DD, DH = g.DH, DW = g.DW,
            PD = g.PadD, PH = g.PadH, PW = g.PadW, PED = g.PadEndD, PEH = g.PadEndH, PEW = g.PadEndW,
            CountIncludePad = countIncludePad ? 1 : 0,
        };
    }

    public void Dispose()
    {
        foreach (var b in _constants.Values) b.Dispose();
        foreach (var b in _owned) b.Dispose();
        _arena?.Dispose();
        _placeholder?.Dispose();
    }
}
