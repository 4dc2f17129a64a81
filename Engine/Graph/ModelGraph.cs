using Cardinal.Tensors;

namespace Cardinal.Graph;

/// <summary>
/// The engine's intermediate representation: nodes in topological order over named values, the weights
/// (initializers), and the declared inputs and outputs. Formats build it; passes and the planner read it.
/// </summary>
public sealed class ModelGraph
{
    public string Name { get; init; } = "";
    public List<Node> Nodes { get; } = [];
    public List<TensorInfo> Inputs { get; } = [];
    public List<TensorInfo> Outputs { get; } = [];
    public Dictionary<string, Tensor> Initializers { get; } = new(StringComparer.Ordinal);

    /// <summary>What the model file says about itself (producer, description, properties); empty for a graph built in code.</summary>
    public ModelMetadata Metadata { get; init; } = ModelMetadata.Empty;

    /// <summary>Op types of the source model, before any rewrite, with their counts (for `cardinal inspect`).</summary>
    public Dictionary<string, int> SourceOpHistogram { get; } = new(StringComparer.Ordinal);

    public long ParameterCount => Initializers.Values.Sum(t => (long)t.Length);
}
