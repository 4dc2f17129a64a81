using Cardinal.Graph;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// An ONNX model as the file states it: plain records, no interpretation yet (see <see cref="OnnxImporter"/>). Public
/// are the model-level facts (producer, versions, opsets, metadata properties); the graph's protobuf records are internal.
/// </summary>
public sealed class OnnxModel
{
    internal OnnxModel() { }

    /// <summary>ModelProto.ir_version.</summary>
    public long IrVersion { get; internal set; }
    /// <summary>ModelProto.producer_name, e.g. "pytorch".</summary>
    public string ProducerName { get; internal set; } = "";
    /// <summary>ModelProto.producer_version.</summary>
    public string ProducerVersion { get; internal set; } = "";
    /// <summary>ModelProto.doc_string: free text about the model.</summary>
    public string DocString { get; internal set; } = "";
    /// <summary>ModelProto.domain: the producer's reverse-DNS namespace for the model.</summary>
    public string Domain { get; internal set; } = "";
    /// <summary>ModelProto.model_version.</summary>
    public long ModelVersion { get; internal set; }
    /// <summary>ModelProto.metadata_props: key → value, keys unique (a file repeating a key is refused).</summary>
    public IReadOnlyDictionary<string, string> MetadataProps { get; internal set; } = new Dictionary<string, string>(StringComparer.Ordinal);
    /// <summary>The operator sets the model imports.</summary>
    public IReadOnlyList<OnnxOpsetImport> OpsetImports => OpsetImportList;
    internal List<OnnxOpsetImport> OpsetImportList { get; } = [];
    internal OnnxGraph Graph { get; set; } = new();
    /// <summary>The folder external-data locations are relative to (the model file's folder).</summary>
    public string? BaseDirectory { get; internal set; }
    /// <summary>Where the model came from, for error messages.</summary>
    public string Source { get; internal set; } = "model";

    /// <summary>Reads and parses an .onnx file (see <see cref="OnnxReader"/>).</summary>
    public static OnnxModel Load(string path) => OnnxReader.ReadFile(path);
}

/// <summary>One imported operator set: its domain ("" is ai.onnx) and version.</summary>
public sealed record OnnxOpsetImport(string Domain, long Version);

internal sealed class OnnxGraph
{
    public string Name { get; internal set; } = "";
    public List<OnnxNode> Nodes { get; } = [];
    public List<OnnxTensor> Initializers { get; } = [];
    public List<OnnxValueInfo> Inputs { get; } = [];
    public List<OnnxValueInfo> Outputs { get; } = [];
    public List<OnnxValueInfo> ValueInfos { get; } = [];
    public bool HasSparseInitializers { get; internal set; }
}

internal sealed class OnnxNode
{
    public string Name { get; internal set; } = "";
    public string OpType { get; internal set; } = "";
    public string Domain { get; internal set; } = "";
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];
    public List<OnnxAttribute> Attributes { get; } = [];
}

/// <summary>ONNX AttributeProto.AttributeType values.</summary>
internal enum OnnxAttributeType
{
    Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8,
    Tensors = 9, Graphs = 10, SparseTensor = 11, SparseTensors = 12, TypeProto = 13, TypeProtos = 14,
}

internal sealed class OnnxAttribute
{
    public string Name { get; internal set; } = "";
    public OnnxAttributeType Type { get; internal set; }
    public float F { get; internal set; }
    public long I { get; internal set; }
    public byte[] S { get; internal set; } = [];
    public OnnxTensor? T { get; internal set; }
    public List<float> Floats { get; } = [];
    public List<long> Ints { get; } = [];
    public List<byte[]> Strings { get; } = [];
    public string StringValue => System.Text.Encoding.UTF8.GetString(S);
}

/// <summary>A graph input/output declaration. <see cref="ElementType"/> is null for non-tensor types (sequence, map, optional).</summary>
internal sealed class OnnxValueInfo
{
    public string Name { get; internal set; } = "";
    public int? ElementType { get; internal set; }
    public List<Dimension>? Dims { get; internal set; }
}

/// <summary>ONNX TensorProto: dims, type code and data in whichever field the writer chose.</summary>
internal sealed class OnnxTensor
{
    public string Name { get; internal set; } = "";
    public int DataType { get; internal set; }
    public List<long> Dims { get; } = [];
    /// <summary>raw_data as read, unless it is float data, which is in <see cref="RawFloats"/>.</summary>
    public byte[]? RawData { get; internal set; }
    /// <summary>raw_data of a float tensor, decoded (little-endian, as ONNX stores it).</summary>
    public float[]? RawFloats { get; internal set; }
    public List<float> FloatData { get; } = [];
    public List<long> Int32Data { get; } = [];
    public List<long> Int64Data { get; } = [];
    public List<double> DoubleData { get; } = [];
    public List<ulong> UInt64Data { get; } = [];
    public int StringDataCount { get; internal set; }
    public Dictionary<string, string> ExternalData { get; } = new(StringComparer.Ordinal);
    public bool IsExternal { get; internal set; }
    public bool HasSegment { get; internal set; }
}
