namespace Cardinal.Formats.Onnx;

/// <summary>The one place an ONNX file's ModelProto fields become the engine's <see cref="ModelMetadata"/>.</summary>
internal static class OnnxMetadata
{
    public static ModelMetadata From(OnnxModel model) => new()
    {
        ProducerName = model.ProducerName,
        ProducerVersion = model.ProducerVersion,
        IrVersion = model.IrVersion,
        DocString = model.DocString,
        Domain = model.Domain,
        ModelVersion = model.ModelVersion,
        // The reader refuses duplicate keys and bounds their number and size (OnnxReader), so this is the file's set.
        Properties = new Dictionary<string, string>(model.MetadataProps, StringComparer.Ordinal),
    };
}
