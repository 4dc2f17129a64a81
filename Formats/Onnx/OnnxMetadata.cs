namespace Cardinal.Formats.Onnx;

/// <summary>The one place an ONNX file's ModelProto fields become the engine's <see cref="ModelMetadata"/>.</summary>
internal static class OnnxMetadata
{
    public static ModelMetadata From(OnnxModel model) => new()
    {
        ProducerName = model.ProducerName,
        ProducerVersion = model.ProducerVersion,
        IrVersion = model.IrVersion,
        // TODO(#13, at merge): OnnxModel gains DocString, Domain, ModelVersion and MetadataProps in issue #13; wire them here:
        //   DocString = model.DocString, Domain = model.Domain, ModelVersion = model.ModelVersion,
        //   Properties = new Dictionary<string, string>(model.MetadataProps),   (in file order; later duplicates win)
        // and extend ModelMetadataTests.Metadata_MatchesOnnxsOwnReading to compare them with python3-onnx's.
    };
}
