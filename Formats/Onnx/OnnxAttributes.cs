using Cardinal.Graph;

namespace Cardinal.Formats.Onnx;

/// <summary>Typed, checked access to one node's attributes; errors name the node and the attribute.</summary>
internal sealed class OnnxAttributes(OnnxNode node, string nodeName)
{
    private readonly Dictionary<string, OnnxAttribute> _byName = node.Attributes
        .GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public bool Has(string name) => _byName.ContainsKey(name);

    public long Int(string name, long fallback) => _byName.TryGetValue(name, out var a) ? a.I : fallback;

    public int Int32(string name, int fallback)
    {
        long v = Int(name, fallback);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Bad(name, $"value {v} out of range");
    }

    public float Float(string name, float fallback) => _byName.TryGetValue(name, out var a) ? a.F : fallback;

    public string String(string name, string fallback) => _byName.TryGetValue(name, out var a) ? a.StringValue : fallback;

    public long[]? Ints(string name) => _byName.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) => _byName.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

    /// <summary>An ints attribute of sizes or counts: each value must fit an int and be non-negative.</summary>
    public int[]? Sizes(string name)
    {
        long[]? v = Ints(name);
        if (v is null) return null;
        return v.Select(x => x is >= 0 and <= int.MaxValue ? (int)x : throw Bad(name, $"value {x} out of range")).ToArray();
    }

    public OnnxAttribute? Get(string name) => _byName.GetValueOrDefault(name);

    public InvalidModelException Bad(string name, string what) =>
        new($"{node.OpType} node '{nodeName}': attribute '{name}': {what}.");
}
