namespace Cardinal;

/// <summary>
/// What a model file says about itself (ONNX's ModelProto fields): who produced it, and the author's own
/// description and key/value properties. Empty strings and an empty map where the file says nothing.
/// </summary>
public sealed record ModelMetadata
{
    /// <summary>The tool that wrote the file (ONNX <c>producer_name</c>), e.g. "pytorch".</summary>
    public string ProducerName { get; init; } = "";
    /// <summary>That tool's version (<c>producer_version</c>).</summary>
    public string ProducerVersion { get; init; } = "";
    /// <summary>The file format's version (ONNX <c>ir_version</c>); 0 when not given.</summary>
    public long IrVersion { get; init; }
    /// <summary>The model's description (<c>doc_string</c>).</summary>
    public string DocString { get; init; } = "";
    /// <summary>The model's namespace (<c>domain</c>), e.g. "com.example".</summary>
    public string Domain { get; init; } = "";
    /// <summary>The model's own version number (<c>model_version</c>); 0 when not given.</summary>
    public long ModelVersion { get; init; }
    /// <summary>The author's key/value properties (<c>metadata_props</c>), in file order.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = EmptyProperties;

    private static readonly IReadOnlyDictionary<string, string> EmptyProperties = new Dictionary<string, string>(0);

    /// <summary>Nothing known: a graph built in code.</summary>
    public static ModelMetadata Empty { get; } = new();
}
