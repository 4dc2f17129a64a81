using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Tensors;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// One Map function per supported ONNX operator, in one place. Each reads the attributes its opset
/// defines and emits the operator's newest-opset form; older attribute forms (Split's split, Squeeze's
/// axes, Pad's pads, Clip's min/max, ReduceMean's axes) become constant inputs.
/// </summary>
internal static class OnnxOperatorMap
{
    private delegate void MapFunction(MapContext c);

    private static readonly Dictionary<string, MapFunction> Maps = new(StringComparer.Ordinal)
    {
        ["Conv"] = MapConv,
        ["BatchNormalization"] = MapBatchNorm,
        ["Relu"] = c => c.Emit(new UnaryOp(UnaryKind.Relu)),
        ["Sigmoid"] = c => c.Emit(new UnaryOp(UnaryKind.Sigmoid)),
        ["MaxPool"] = c => MapPool(c, PoolKind.Max),
        ["AveragePool"] = c => MapPool(c, PoolKind.Average),
        ["GlobalAveragePool"] = c => c.Emit(new GlobalAveragePoolOp()),
        ["Add"] = c => MapBinary(c, BinaryKind.Add),
        ["Sub"] = c => MapBinary(c, BinaryKind.Sub),
        ["Mul"] = c => MapBinary(c, BinaryKind.Mul),
        ["Div"] = c => MapBinary(c, BinaryKind.Div),
        ["Sum"] = c => c.Emit(new SumOp()),
        ["Flatten"] = c => c.Emit(new FlattenOp(c.A.Int32("axis", 1))),
        ["Reshape"] = c => c.Emit(new ReshapeOp(c.A.Int("allowzero", 0) != 0)),
        ["Squeeze"] = c => c.Emit(new SqueezeOp(), c.Opset < 13 && c.A.Ints("axes") is { } axes ? [c.Input(0), c.Constant("axes", axes)] : null),
        ["Unsqueeze"] = c => c.Emit(new UnsqueezeOp(), c.Opset < 13 ? [c.Input(0), c.Constant("axes", c.A.Ints("axes") ?? throw c.A.Bad("axes", "required"))] : null),
        ["Gemm"] = c => c.Emit(new GemmOp(c.A.Float("alpha", 1f), c.A.Float("beta", 1f), c.A.Int("transA", 0) != 0, c.A.Int("transB", 0) != 0)),
        ["MatMul"] = c => c.Emit(new MatMulOp()),
        ["Softmax"] = c => c.Emit(c.Opset < 13 ? new SoftmaxOp(c.A.Int32("axis", 1), coerceTo2D: true) : new SoftmaxOp(c.A.Int32("axis", -1), coerceTo2D: false)),
        ["Clip"] = MapClip,
        ["ReduceMean"] = MapReduceMean,
        ["Pad"] = MapPad,
        ["Concat"] = c => c.Emit(new ConcatOp(c.A.Has("axis") ? c.A.Int32("axis", 0) : throw c.A.Bad("axis", "required"))),
        ["Split"] = MapSplit,
        ["Identity"] = c => c.Emit(new IdentityOp()),
        ["Dropout"] = MapDropout,
        ["Constant"] = MapConstant,
        ["Shape"] = c => c.Emit(new ShapeOp(c.A.Int("start", 0), c.A.Has("end") ? c.A.Int("end", 0) : null)),
        ["Gather"] = c => c.Emit(new GatherOp(c.A.Int32("axis", 0))),
    };

    public static IReadOnlyCollection<string> SupportedOperators => Maps.Keys;

    public static void Map(OnnxNode node, string name, int opset, ModelGraph graph, string? baseDirectory)
    {
        if (!Maps.TryGetValue(node.OpType, out MapFunction? map))
            throw new UnsupportedModelException(
                $"Operator '{node.OpType}' (node '{name}', opset {opset}) is not supported. Supported operators: {string.Join(", ", Maps.Keys.Order())}.");
        map(new MapContext(node, name, opset, graph, baseDirectory));
    }

    private static void MapConv(MapContext c)
    {
        c.Emit(new ConvOp(c.Window(ceilMode: false), c.A.Int32("group", 1)));
    }

    private static void MapBatchNorm(MapContext c)
    {
        if (c.Opset < 9 && c.A.Int("spatial", 1) == 0)
            throw new UnsupportedModelException($"{c.Describe}: spatial=0 (per-element statistics) is not supported.");
        if (c.A.Int("training_mode", 0) != 0 || (c.Opset < 7 && c.A.Int("is_test", 0) == 0 && c.Node.Outputs.Count(o => o.Length > 0) > 1))
            throw new UnsupportedModelException($"{c.Describe}: training mode is not supported; Cardinal runs inference only.");
        if (c.Node.Outputs.Skip(1).Any(o => o.Length > 0))
            throw new UnsupportedModelException($"{c.Describe}: the running-statistics outputs exist only in training mode, which is not supported.");
        c.Emit(new BatchNormOp(c.A.Float("epsilon", 1e-5f)), outputs: [c.Node.Outputs[0]]);
    }

    private static void MapPool(MapContext c, PoolKind kind)
    {
        bool ceil = c.Opset >= 10 && c.A.Int("ceil_mode", 0) != 0;
        WindowAttributes window = c.Window(ceil);
        if (kind == PoolKind.Average && window.Dilations is not null)
            throw new UnsupportedModelException($"{c.Describe}: AveragePool dilations arrive in opset 19; Cardinal supports up to {OnnxImporter.MaxOpset}.");
        int storageOrder = c.A.Int32("storage_order", 0);
        if (storageOrder is not (0 or 1)) throw c.A.Bad("storage_order", "must be 0 or 1");
        c.Emit(new PoolOp(kind, window, c.A.Int("count_include_pad", 0) != 0, storageOrder));
    }

    private static void MapBinary(MapContext c, BinaryKind kind)
    {
        // Opsets ≤ 6 broadcast only with broadcast=1, aligning B at 'axis' when one is given.
        int? legacyAxis = c.Opset < 7 && c.A.Int("broadcast", 0) != 0 && c.A.Has("axis") ? c.A.Int32("axis", 0) : null;
        c.Emit(new BinaryOp(kind, legacyAxis));
    }

    private static void MapClip(MapContext c)
    {
        if (c.Opset >= 11) { c.Emit(new ClipOp()); return; }
        string min = c.A.Has("min") ? c.Constant("min", Tensor.Scalar(c.A.Float("min", float.MinValue))) : "";
        string max = c.A.Has("max") ? c.Constant("max", Tensor.Scalar(c.A.Float("max", float.MaxValue))) : "";
        c.Emit(new ClipOp(), [c.Input(0), min, max]);
    }

    private static void MapReduceMean(MapContext c)
    {
        var op = new ReduceMeanOp(c.A.Int("keepdims", 1) != 0, c.Opset >= 18 && c.A.Int("noop_with_empty_axes", 0) != 0);
        if (c.Opset >= 18) { c.Emit(op); return; }
        c.Emit(op, c.A.Ints("axes") is { } axes ? [c.Input(0), c.Constant("axes", axes)] : [c.Input(0)]);
    }

    private static void MapPad(MapContext c)
    {
        string modeText = c.A.String("mode", "constant");
        PadMode mode = modeText switch
        {
            "constant" => PadMode.Constant,
            "reflect" => PadMode.Reflect,
            "edge" => PadMode.Edge,
            _ => throw new UnsupportedModelException($"{c.Describe}: pad mode '{modeText}' is not supported (constant, reflect, edge are)."),
        };
        if (c.Opset >= 11) { c.Emit(new PadOp(mode)); return; }
        long[] pads = c.A.Ints("pads") ?? c.A.Ints("paddings") ?? throw c.A.Bad("pads", "required");
        c.Emit(new PadOp(mode), [c.Input(0), c.Constant("pads", pads), c.Constant("value", Tensor.Scalar(c.A.Float("value", 0f)))]);
    }

    private static void MapSplit(MapContext c)
    {
        var op = new SplitOp(c.A.Int32("axis", 0));
        if (c.Opset < 13 && c.A.Ints("split") is { } split) c.Emit(op, [c.Input(0), c.Constant("split", split)]);
        else if (c.Opset < 13) c.Emit(op, [c.Input(0)]);
        else c.Emit(op);
    }

    private static void MapDropout(MapContext c)
    {
        if (c.Opset < 7 && c.A.Int("is_test", 0) == 0 && c.Node.Outputs.Count(o => o.Length > 0) > 1)
            throw new UnsupportedModelException($"{c.Describe}: training-mode Dropout is not supported; Cardinal runs inference only.");
        c.Emit(new DropoutOp(), c.Opset < 12 ? [c.Input(0)] : null);
    }

    private static void MapConstant(MapContext c)
    {
        OnnxAttribute? a = c.Node.Attributes.FirstOrDefault();
        Tensor value = a?.Name switch
        {
            "value" when a.T is not null => OnnxTensorConverter.ToTensor(a.T, c.BaseDirectory, $"{c.Describe}"),
            "value_float" => Tensor.Scalar(a.F),
            "value_floats" => Tensor.FromArray(a.Floats.ToArray(), a.Floats.Count),
            "value_int" => Tensor.Scalar(a.I),
            "value_ints" => Tensor.FromArray(a.Ints.ToArray(), a.Ints.Count),
            null => throw new InvalidModelException($"{c.Describe}: has no value attribute."),
            _ => throw new UnsupportedModelException($"{c.Describe}: constant attribute '{a.Name}' is not supported."),
        };
        if (c.Node.Outputs.Count != 1) throw new InvalidModelException($"{c.Describe}: must have one output.");
        c.Graph.Initializers[c.Node.Outputs[0]] = value;
    }

    /// <summary>Everything a Map function needs about the node being mapped.</summary>
    private sealed class MapContext(OnnxNode node, string name, int opset, ModelGraph graph, string? baseDirectory)
    {
        public OnnxNode Node { get; } = node;
        public int Opset { get; } = opset;
        public ModelGraph Graph { get; } = graph;
        public string? BaseDirectory { get; } = baseDirectory;
        public OnnxAttributes A { get; } = new(node, name);
        public string Describe => $"{Node.OpType} node '{name}'";

        public string Input(int i) => i < Node.Inputs.Count ? Node.Inputs[i] : "";

        public void Emit(Operator op, string[]? inputs = null, string[]? outputs = null) =>
            Graph.Nodes.Add(new Node(name, op, inputs ?? Node.Inputs.ToArray(), outputs ?? Node.Outputs.ToArray(), Opset));

        /// <summary>Adds a constant initializer for a legacy attribute and returns its value name.</summary>
        public string Constant(string attribute, long[] values) => Constant(attribute, Tensor.FromArray(values, values.Length));

        public string Constant(string attribute, Tensor value)
        {
            string valueName = $"{name}::{attribute}";
            Graph.Initializers[valueName] = value;
            return valueName;
        }

        public WindowAttributes Window(bool ceilMode)
        {
            string autoPad = A.String("auto_pad", "NOTSET");
            AutoPad mode = autoPad switch
            {
                "NOTSET" or "" => AutoPad.NotSet,
                "SAME_UPPER" => AutoPad.SameUpper,
                "SAME_LOWER" => AutoPad.SameLower,
                "VALID" => AutoPad.Valid,
                _ => throw A.Bad("auto_pad", $"unknown value '{autoPad}'"),
            };
            return new WindowAttributes(A.Sizes("kernel_shape"), A.Sizes("strides"), A.Sizes("dilations"), A.Sizes("pads"), mode, ceilMode);
        }
    }
}
