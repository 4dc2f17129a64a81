using System.Collections.Frozen;
using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Tensors;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// One Map function per supported ONNX operator, in one place, with the attributes ONNX defines for it:
/// a node carrying any other is refused in <see cref="Map"/>. Each Map reads the attributes its opset
/// defines and emits the operator's newest-opset form; older attribute forms (Split's split, Squeeze's
/// axes, Pad's pads, Clip's min/max, ReduceMean's axes, Reshape's shape) become constant inputs.
/// </summary>
internal static class OnnxOperatorMap
{
    private delegate void MapFunction(MapContext c);

    /// <summary>
    /// An operator's Map function and the attributes ONNX defines for it in any opset Cardinal reads
    /// (1–<see cref="OnnxImporter.MaxOpset"/>), legacy ones included (consumed_inputs, is_test, broadcast…),
    /// from onnx/docs/Changelog.md. An attribute outside the set is refused before the Map runs, as ONNX
    /// Runtime refuses it: a misspelled attribute (groux for group) would silently change the model.
    /// </summary>
    private sealed class Mapping(MapFunction map, string attributes = "")
    {
        public MapFunction Map { get; } = map;
        public FrozenSet<string> Attributes { get; } = attributes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
        public string Listing => Attributes.Count == 0 ? "no attributes" : string.Join(", ", Attributes.Order(StringComparer.Ordinal));
    }

    private const string WindowNames = "auto_pad kernel_shape pads strides";

    private static readonly Dictionary<string, Mapping> Maps = new(StringComparer.Ordinal)
    {
        ["Conv"] = new(MapConv, $"{WindowNames} dilations group"),
        ["BatchNormalization"] = new(MapBatchNorm, "epsilon momentum training_mode spatial is_test consumed_inputs"),
        ["Relu"] = new(c => c.Emit(new UnaryOp(UnaryKind.Relu)), "consumed_inputs"),
        ["Sigmoid"] = new(c => c.Emit(new UnaryOp(UnaryKind.Sigmoid)), "consumed_inputs"),
        ["MaxPool"] = new(c => MapPool(c, PoolKind.Max), $"{WindowNames} dilations ceil_mode storage_order"),
        // AveragePool's dilations arrive in opset 19.
        ["AveragePool"] = new(c => MapPool(c, PoolKind.Average), $"{WindowNames} ceil_mode count_include_pad"),
        ["GlobalAveragePool"] = new(c => c.Emit(new GlobalAveragePoolOp())),
        ["Add"] = new(c => MapBinary(c, BinaryKind.Add), "broadcast axis consumed_inputs"),
        ["Sub"] = new(c => MapBinary(c, BinaryKind.Sub), "broadcast axis consumed_inputs"),
        ["Mul"] = new(c => MapBinary(c, BinaryKind.Mul), "broadcast axis consumed_inputs"),
        ["Div"] = new(c => MapBinary(c, BinaryKind.Div), "broadcast axis consumed_inputs"),
        ["Sum"] = new(c => c.Emit(new SumOp()), "consumed_inputs"),
        ["Flatten"] = new(c => c.Emit(new FlattenOp(c.A.Int32("axis", 1))), "axis"),
        ["Reshape"] = new(MapReshape, "allowzero shape consumed_inputs"),
        ["Squeeze"] = new(c => c.Emit(new SqueezeOp(), c.Opset < 13 && c.A.Ints("axes") is { } axes ? [c.Input(0), c.Constant("axes", axes)] : null), "axes"),
        ["Unsqueeze"] = new(c => c.Emit(new UnsqueezeOp(), c.Opset < 13 ? [c.Input(0), c.Constant("axes", c.A.Ints("axes") ?? throw c.A.Bad("axes", "required"))] : null), "axes"),
        ["Gemm"] = new(c => c.Emit(new GemmOp(c.A.Float("alpha", 1f), c.A.Float("beta", 1f), c.A.Int("transA", 0) != 0, c.A.Int("transB", 0) != 0)), "alpha beta transA transB broadcast"),
        ["MatMul"] = new(c => c.Emit(new MatMulOp())),
        ["Softmax"] = new(c => c.Emit(c.Opset < 13 ? new SoftmaxOp(c.A.Int32("axis", 1), coerceTo2D: true) : new SoftmaxOp(c.A.Int32("axis", -1), coerceTo2D: false)), "axis"),
        ["Clip"] = new(MapClip, "min max consumed_inputs"),
        ["ReduceMean"] = new(MapReduceMean, "axes keepdims noop_with_empty_axes"),
        ["Pad"] = new(MapPad, "mode pads value paddings"),
        ["Concat"] = new(c => c.Emit(new ConcatOp(c.A.Has("axis") ? c.A.Int32("axis", 0) : throw c.A.Bad("axis", "required"))), "axis"),
        ["Split"] = new(MapSplit, "axis split num_outputs"),
        ["Identity"] = new(c => c.Emit(new IdentityOp())),
        ["Dropout"] = new(MapDropout, "ratio seed is_test consumed_inputs"),
        ["Constant"] = new(MapConstant, "value value_float value_floats value_int value_ints value_string value_strings sparse_value"),
        ["Shape"] = new(c => c.Emit(new ShapeOp(c.A.Int("start", 0), c.A.Has("end") ? c.A.Int("end", 0) : null)), "start end"),
        ["Gather"] = new(c => c.Emit(new GatherOp(c.A.Int32("axis", 0))), "axis"),
    };

    public static IReadOnlyCollection<string> SupportedOperators => Maps.Keys;

    public static void Map(OnnxNode node, string name, int opset, ModelGraph graph, string? baseDirectory)
    {
        if (!Maps.TryGetValue(node.OpType, out Mapping? mapping))
            throw new UnsupportedModelException(
                $"Operator '{node.OpType}' (node '{name}', opset {opset}) is not supported. Supported operators: {string.Join(", ", Maps.Keys.Order())}.");
        foreach (OnnxAttribute a in node.Attributes)
            if (!mapping.Attributes.Contains(a.Name))
                throw new UnsupportedModelException(
                    $"{node.OpType} node '{name}': attribute '{a.Name}' is not defined for {node.OpType} (opset {opset}); {node.OpType} defines {mapping.Listing}.");
        mapping.Map(new MapContext(node, name, opset, graph, baseDirectory));
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
        int storageOrder = c.A.Int32("storage_order", 0);
        if (storageOrder is not (0 or 1)) throw c.A.Bad("storage_order", "must be 0 or 1");
        c.Emit(new PoolOp(kind, window, c.A.Int("count_include_pad", 0) != 0, storageOrder));
    }

    private static void MapReshape(MapContext c)
    {
        var op = new ReshapeOp(c.A.Int("allowzero", 0) != 0);
        // Opsets 1–4 give the target shape as an attribute; opset 5 made it the second input.
        if (c.Opset < 5) c.Emit(op, [c.Input(0), c.Constant("shape", c.A.Ints("shape") ?? throw c.A.Bad("shape", "required"))]);
        else c.Emit(op);
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
        if (c.Node.Attributes.Count != 1)
            throw new InvalidModelException(c.Node.Attributes.Count == 0 ? $"{c.Describe}: has no value attribute."
                : $"{c.Describe}: has {c.Node.Attributes.Count} value attributes ({string.Join(", ", c.Node.Attributes.Select(a => a.Name))}); a Constant takes exactly one.");
        OnnxAttribute a = c.Node.Attributes[0];
        Tensor value = a.Name switch
        {
            "value" => a.T is not null ? OnnxTensorConverter.ToTensor(a.T, c.BaseDirectory, $"{c.Describe}") : throw c.A.Bad("value", "holds no tensor"),
            "value_float" => Tensor.Scalar(a.F),
            "value_floats" => Tensor.FromArray(a.Floats.ToArray(), a.Floats.Count),
            "value_int" => Tensor.Scalar(a.I),
            "value_ints" => Tensor.FromArray(a.Ints.ToArray(), a.Ints.Count),
            "value_string" or "value_strings" => throw new UnsupportedModelException($"{c.Describe}: attribute '{a.Name}': string constants are not supported (Cardinal's tensors are numeric)."),
            "sparse_value" => throw new UnsupportedModelException($"{c.Describe}: attribute 'sparse_value': sparse constants are not supported."),
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
