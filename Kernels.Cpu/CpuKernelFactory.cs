using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Elementwise;
using Cardinal.Kernels.Cpu.Gemm;
using Cardinal.Kernels.Cpu.Ops;
using Cardinal.Kernels.Cpu.Pooling;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Planning;
using Cardinal.Tensors;

namespace Cardinal.Kernels.Cpu;

/// <summary>
/// Prepares one kernel per plan step: everything that depends only on shapes and attributes (window
/// geometry, axes, split sizes, broadcast shapes) is worked out here, once, not on every run.
/// </summary>
internal static class CpuKernelFactory
{
    private sealed class DelegateKernel(Action<Tensor?[], Tensor[]> run, string? description) : IKernel
    {
        public string? Description => description;
        public void Run(Tensor?[] inputs, Tensor[] outputs, Workspace workspace) => run(inputs, outputs);
    }

    /// <summary>A convolution step: its prepared plan, and the step's tensors handed to it.</summary>
    internal sealed class ConvKernel(ConvPlan plan) : IKernel
    {
        public ConvPlan Plan { get; } = plan;
        public long WorkspaceBytes => Plan.WorkspaceBytes;
        public string Description => Plan.Description;

        /// <summary>
        /// The weights, when the plan packed them and no other algorithm could be chosen for this layer at another
        /// input size: the backend's packed-weights cache keeps the packed copy, which every later plan finds.
        /// (A grouped layer narrow enough for the direct kernel, which reads the weights as they are, keeps them.)
        /// </summary>
        public IReadOnlyList<int> HeldInputs => Plan.HoldsPackedWeights
            && (Plan.Shape.Group == 1 || Plan.Shape.OutChannelsPerGroup >= DirectGroupedPlan.MaxChannelsPerGroup) ? [1] : [];

        /// <summary>The fused residual (input 3), where the plan writes y safely over it and prefers to.</summary>
        public int OutputOverwrites => Plan.Shape.Epilogue.Residual && Plan.OutputOverResidual ? 3 : -1;

        /// <summary>Where the plan's output wants a buffer no other value shares (<see cref="ConvPlan.OutputAlone"/>).</summary>
        public bool OutputAlone => Plan.OutputAlone;

        public void Run(Tensor?[] inputs, Tensor[] outputs, Workspace workspace) =>
            Plan.Run(inputs[0]!.Floats, Plan.HoldsPackedWeights ? default : inputs[1]!.Floats, inputs.Length > 2 && inputs[2] is { } b ? b.Floats : default,
                inputs.Length > 3 && inputs[3] is { } r ? r.Floats : default, outputs[0].Floats, workspace);
    }

    /// <param name="description">What runs, when a step's op has more than one way (shown by `cardinal inspect`).</param>
    /// <param name="run">The step's computation, over its inputs and outputs.</param>
    private static IKernel K(Action<Tensor?[], Tensor[]> run, string? description = null) => new DelegateKernel(run, description);

    public static IKernel Create(ExecutionPlan plan, PlanStep step, ParallelRunner parallel, CpuPlatform table, PackedWeightsCache packedWeights,
        bool blockedDirect = true, bool winograd = false, Nchwc.BlockedTuning? tuning = null)
    {
        Node node = step.Node;
        ValueInfo?[] inputs = plan.InputsOf(step);
        ValueInfo[] outputs = plan.OutputsOf(step);
        switch (node.Op)
        {
            case ConvOp conv:
            {
                ValueInfo x = inputs[0]!, w = inputs[1]!;
                var shape = new ConvShape(x.Dims[0], x.Dims[1], w.Dims[0], conv.Group, Window3D.From(conv.Geometry(node, x, w)), conv.Epilogue);
                // Decided once, here: the algorithm, and constant weights packed once per backend, not per plan.
                return new ConvKernel(ConvPlan.Select(shape, w.Constant, table, parallel, packedWeights));
            }
            case BlockedConvOp blocked:
            {
                ValueInfo x = inputs[0]!, w = inputs[1]!;
                var shape = new ConvShape(x.Dims[0], blocked.Channels, w.Dims[0], blocked.Conv.Group,
                    Window3D.From(blocked.Conv.Geometry(node, x, w)), blocked.Conv.Epilogue);
                // X the NCHW image itself (fewer channels than a block: a blocked value would carry the padded count).
                // AVX-512 reads it in place (NchwStemPlan); AVX2 folds its kernel columns into channels first (FoldedStemPlan).
                if (x.Dims[1] == blocked.Channels && blocked.Channels < blocked.Block)
                {
                    Tensor stemWeights = w.Constant ?? throw new UnsupportedModelException($"{node.Describe()}: the stem read from the image needs constant weights.");
                    return new ConvKernel(Nchwc.NchwStemPlan.Supports(shape, table) ? new Nchwc.NchwStemPlan(shape, stemWeights, table, parallel, packedWeights)
                        : new Nchwc.FoldedStemPlan(shape, stemWeights, table, parallel, packedWeights));
                }
                return new ConvKernel(Nchwc.BlockedConvPlans.Create(shape, w.Constant, blocked.Block, table, parallel, packedWeights, blockedDirect, winograd, tuning));
            }
            case BlockedMaxPoolOp blockedPool:
            {
                ValueInfo x = inputs[0]!;
                Window3D window = Window3D.From(blockedPool.Pool.Geometry(node, x));
                int batch = x.Dims[0], padded = x.Dims[1], block = blockedPool.Block;
                return K((i, o) => Nchwc.BlockedPool.Max(i[0]!.Floats, o[0].Floats, batch, padded, block, window, parallel), $"blocked max pool (NCHW{block}c)");
            }
            case BlockedGlobalAveragePoolOp blockedAverage:
            {
                ValueInfo x = inputs[0]!;
                int batch = x.Dims[0], padded = x.Dims[1], block = blockedAverage.Block, size = TensorShape.ElementCount(x.Dims.AsSpan(2));
                return K((i, o) => Nchwc.BlockedPool.GlobalAverage(i[0]!.Floats, o[0].Floats, batch, padded, block, size), $"blocked global average (NCHW{block}c)");
            }
            case PoolOp pool:
            {
                ValueInfo x = inputs[0]!;
                Window3D window = Window3D.From(pool.Geometry(node, x));
                int planes = x.Dims[0] * x.Dims[1];
                if (pool.Kind == PoolKind.Max)
                {
                    bool columnMajor = pool.StorageOrder == 1;
                    return x.ElementType switch
                    {
                        ElementType.Float32 => K((i, o) => PoolKernel.Max(i[0]!.Floats, o[0].Floats, o.Length > 1 ? o[1].Span<long>() : default, planes, window, columnMajor, parallel, table)),
                        ElementType.Float64 => K((i, o) => PoolKernel.Max(i[0]!.Span<double>(), o[0].Span<double>(), o.Length > 1 ? o[1].Span<long>() : default, planes, window, columnMajor, parallel, table)),
                        ElementType.Int8 => K((i, o) => PoolKernel.Max(i[0]!.Span<sbyte>(), o[0].Span<sbyte>(), o.Length > 1 ? o[1].Span<long>() : default, planes, window, columnMajor, parallel, table)),
                        ElementType.UInt8 => K((i, o) => PoolKernel.Max(i[0]!.Span<byte>(), o[0].Span<byte>(), o.Length > 1 ? o[1].Span<long>() : default, planes, window, columnMajor, parallel, table)),
                        _ => throw new UnsupportedModelException($"{node.Describe()}: MaxPool on {x.ElementType.Name()} is not supported."),
                    };
                }
                return K((i, o) => PoolKernel.Average(i[0]!.Floats, o[0].Floats, planes, window, pool.CountIncludePad, parallel));
            }
            case GlobalAveragePoolOp:
            {
                ValueInfo x = inputs[0]!;
                int planes = x.Dims[0] * x.Dims[1], size = TensorShape.ElementCount(x.Dims.AsSpan(2));
                return K((i, o) => PoolKernel.GlobalAverage(i[0]!.Floats, o[0].Floats, planes, size));
            }
            case BatchNormOp bn:
                return K((i, o) => Normalization.BatchNorm(i[0]!, i[1]!, i[2]!, i[3]!, i[4]!, bn.Epsilon, o[0]));
            case BinaryOp binary:
            {
                var shapes = new BinaryShapes(inputs[0]!.Dims, binary.EffectiveShapeOfB(inputs[0]!.Dims, inputs[1]!.Dims), outputs[0].Dims);
                return K((i, o) => Broadcasting.Binary(binary.Kind, i[0]!, i[1]!, o[0], shapes));
            }
            case SumOp:
            {
                // Start from zero and add each input in turn (broadcast into the output's shape).
                int[] outDims = outputs[0].Dims;
                var shapes = inputs.Select(v => new BinaryShapes(outDims, v!.Dims, outDims)).ToArray();
                return K((i, o) =>
                {
                    Tensor y = o[0];
                    y.Bytes.Clear();
                    for (int t = 0; t < i.Length; t++) Broadcasting.Binary(BinaryKind.Add, y, i[t]!, y, shapes[t]);
                });
            }
            case UnaryOp { Kind: UnaryKind.Relu }:
                return K((i, o) => Unary.Relu(i[0]!, o[0], table));
            case UnaryOp { Kind: UnaryKind.Sigmoid }:
                return K((i, o) => Unary.Sigmoid(i[0]!, o[0]));
            case ClipOp:
                return K((i, o) => Unary.Clip(i[0]!, i.Length > 1 ? i[1] : null, i.Length > 2 ? i[2] : null, o[0]));
            case SoftmaxOp softmax:
            {
                var (outer, length, stride) = softmax.Layout(node, inputs[0]!.Dims);
                return K((i, o) => Normalization.Softmax(i[0]!.Floats, o[0].Floats, outer, length, stride));
            }
            case ReduceMeanOp reduce:
            {
                int[] axes = reduce.Axes(node, inputs);
                return K((i, o) => Normalization.ReduceMean(i[0]!, axes, o[0]));
            }
            case GemmOp gemm:
                // Constant operands (a classifier's weights) are prepared when the kernel is made, not per run.
                return new Linear.GemmKernel(gemm, inputs[0]!.Dims, inputs[1]!.Dims, inputs.Length > 2 ? inputs[2]?.Dims : null,
                    outputs[0].Dims, inputs[0]!.Constant, inputs[1]!.Constant, parallel, table);
            case MatMulOp:
                return new Linear.MatMulKernel(node, inputs[0]!.Dims, inputs[1]!.Dims, parallel, table);
            case ConcatOp concat:
            {
                int axis = TensorShape.NormalizeAxis(concat.Axis, inputs[0]!.Rank, node.Describe());
                return K((i, o) => DataMovement.Concat(i!, axis, o[0]));
            }
            case SplitOp split:
            {
                int axis = TensorShape.NormalizeAxis(split.Axis, inputs[0]!.Rank, node.Describe());
                return K((i, o) => DataMovement.Split(i[0]!, axis, o));
            }
            case GatherOp gather:
            {
                int axis = TensorShape.NormalizeAxis(gather.Axis, inputs[0]!.Rank, node.Describe());
                return K((i, o) => DataMovement.Gather(i[0]!, i[1]!, axis, o[0]));
            }
            case PadOp pad:
            {
                (int[] begin, _) = pad.Pads(node, inputs);
                return K((i, o) => DataMovement.Pad(i[0]!, begin, o[0], pad.Mode, i.Length > 2 ? i[2] : null));
            }
            case ReorderToBlockedOp toBlocked:
            {
                ValueInfo x = inputs[0]!;
                int batch = x.Dims[0], channels = x.Dims[1], spatial = TensorShape.ElementCount(x.Dims.AsSpan(2)), block = toBlocked.Block;
                int rank = x.Rank - 2;
                return K((i, o) => Nchwc.Reorder.ToBlocked(i[0]!.Floats, o[0].Floats, batch, channels, spatial, block, parallel),
                    $"{BlockedLayout.PlainName(rank)} → {BlockedLayout.Name(rank, block)}");
            }
            case ReorderFromBlockedOp fromBlocked:
            {
                ValueInfo x = inputs[0]!;
                int batch = x.Dims[0], padded = x.Dims[1], spatial = TensorShape.ElementCount(x.Dims.AsSpan(2));
                int block = fromBlocked.Block, channels = fromBlocked.Channels;
                int rank = x.Rank - 2;
                return K((i, o) => Nchwc.Reorder.FromBlocked(i[0]!.Floats, o[0].Floats, batch, channels, padded, spatial, block, parallel),
                    $"{BlockedLayout.Name(rank, block)} → {BlockedLayout.PlainName(rank)}");
            }
            case ViewOp:
                // Views never reach a kernel at run time (the executor aliases them), but folding may ask.
                return K((i, o) =>
                {
                    if (o[0].ElementType == i[0]!.ElementType) i[0]!.Bytes.CopyTo(o[0].Bytes);
                    for (int k = 1; k < o.Length; k++) o[k].Span<bool>().Fill(true);
                });
            default:
                throw new UnsupportedModelException($"{node.Describe()}: the CPU backend has no kernel for {node.OpType}.");
        }
    }
}
