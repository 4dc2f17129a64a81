using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Tensors;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// Maps an <see cref="OnnxModel"/> to the engine's <see cref="ModelGraph"/>: initializers become tensors,
/// inputs and outputs get their declared types, and each node goes through its operator's Map method
/// (<see cref="OnnxOperatorMap"/>). Anything Cardinal does not support fails here, at load, before any run.
/// </summary>
public static class OnnxImporter
{
    /// <summary>
    /// Opsets 1–5 are read as their opset-6 forms: the operators Cardinal supports changed between them only
    /// by the long-removed consumed_inputs attribute, which inference ignores, and by attributes that later
    /// became inputs (Reshape's shape, Pad's paddings), which the Map functions turn into constant inputs.
    /// </summary>
    public const int MinOpset = 1;
    /// <summary>The newest ai.onnx opset the importer reads.</summary>
    public const int MaxOpset = 18;

    /// <summary>
    /// Reads an .onnx file and maps it: the one call most users need. The file's records are private to
    /// this call, so the tensors adopt the float arrays the reader decoded: the weights are held once, not
    /// twice, at the load-time peak.
    /// </summary>
    public static ModelGraph Load(string path) => ToGraph(OnnxModel.Load(path), releaseInitializerData: true);

    /// <summary>
    /// As <see cref="Load(string)"/>, and hands back the file's records for what the graph does not carry (doc
    /// string, domain, version, metadata_props); their initializer data has been released to the graph.
    /// </summary>
    public static ModelGraph Load(string path, out OnnxModel model)
    {
        model = OnnxModel.Load(path);
        return ToGraph(model, releaseInitializerData: true);
    }

    /// <summary>The engine graph of a parsed model.</summary>
    public static ModelGraph ToGraph(OnnxModel model) => ToGraph(model, releaseInitializerData: false);

    /// <summary>
    /// Reads a model from a stream and maps it (see <see cref="OnnxStreamLoader.Read(Stream, long, string)"/>: a seekable
    /// stream is read field by field from its position, any other is buffered up to <paramref name="maxBufferedBytes"/>).
    /// The stream is left open.
    /// </summary>
    public static ModelGraph Load(Stream stream, long maxBufferedBytes = SessionOptions.DefaultMaxModelBytes, string source = "stream") =>
        ToGraph(OnnxStreamLoader.Read(stream, maxBufferedBytes, source), releaseInitializerData: true);

    /// <summary>Maps a model held in memory (read in place when it is a managed array).</summary>
    public static ModelGraph Load(ReadOnlyMemory<byte> model, string source = "model") =>
        ToGraph(OnnxStreamLoader.Read(model, source), releaseInitializerData: true);

    private static ModelGraph ToGraph(OnnxModel model, bool releaseInitializerData)
    {
        int opset = DefaultOpset(model);
        OnnxGraph g = model.Graph;
        if (g.HasSparseInitializers) throw new UnsupportedModelException($"{model.Source}: sparse initializers are not supported.");
        var graph = new ModelGraph { Name = g.Name, Metadata = OnnxMetadata.From(model) };

        foreach (OnnxTensor init in g.Initializers)
        {
            if (init.Name.Length == 0) throw new ModelFormatException($"{model.Source}: an initializer has no name.");
            graph.Initializers[init.Name] = OnnxTensorConverter.ToTensor(init, model.BaseDirectory, "initializer", adopt: releaseInitializerData);
            if (releaseInitializerData) { init.RawData = null; init.RawFloats = null; }
        }
        // Before IR version 4 initializers were also listed as inputs; they are weights, not inputs.
        foreach (OnnxValueInfo input in g.Inputs.Where(i => !graph.Initializers.ContainsKey(i.Name)))
            graph.Inputs.Add(ToInfo(input, "input"));
        foreach (OnnxValueInfo output in g.Outputs)
            graph.Outputs.Add(ToInfo(output, "output"));
        if (graph.Outputs.Count == 0) throw new InvalidModelException($"{model.Source}: the graph declares no outputs.");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < g.Nodes.Count; i++)
        {
            OnnxNode node = g.Nodes[i];
            graph.SourceOpHistogram[node.OpType] = graph.SourceOpHistogram.GetValueOrDefault(node.OpType) + 1;
            string name = node.Name.Length > 0 && names.Add(node.Name) ? node.Name : $"{node.OpType}_{i}";
            if (node.Domain is not ("" or "ai.onnx"))
                throw new UnsupportedModelException($"Operator '{node.Domain}.{node.OpType}' (node '{name}') is not supported: Cardinal implements the default ONNX domain only.");
            OnnxOperatorMap.Map(node, name, opset, graph, model.BaseDirectory);
        }
        return graph;
    }

    private static int DefaultOpset(OnnxModel model)
    {
        var import = model.OpsetImports.LastOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new ModelFormatException($"{model.Source}: the model imports no version of the default ONNX opset.");
        if (import.Version < MinOpset || import.Version > MaxOpset)
            throw new UnsupportedModelException($"{model.Source}: the model uses ONNX opset {import.Version}; Cardinal supports opsets {MinOpset}–{MaxOpset}.");
        return (int)import.Version;
    }

    private static TensorInfo ToInfo(OnnxValueInfo v, string role)
    {
        if (v.ElementType is not int code)
            throw new UnsupportedModelException($"Graph {role} '{v.Name}' is not a tensor (sequence, map or optional types are not supported).");
        ElementType type = OnnxTensorConverter.ToElementType(code)
            ?? throw new UnsupportedModelException($"Graph {role} '{v.Name}' has element type {OnnxTensorConverter.OnnxTypeName(code)}, which Cardinal does not support.");
        return new TensorInfo(v.Name, type, v.Dims);
    }
}
