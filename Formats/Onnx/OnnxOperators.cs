namespace Cardinal.Formats.Onnx;

/// <summary>The ONNX operator types the importer maps (for listings, docs and the test suite's filter).</summary>
internal static class OnnxOperators
{
    public static IReadOnlyCollection<string> Supported => OnnxOperatorMap.SupportedOperators;
}
