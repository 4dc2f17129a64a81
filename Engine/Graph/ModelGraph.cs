using Cardinal.Tensors;

namespace Cardinal.Graph;

/// <summary>
/// The engine's intermediate representation: nodes in topological order over named values, the weights
/// (initializers), and the declared inputs and outputs. Formats build it; passes and the planner read it.
/// To a user it is an opaque handle (from <c>OnnxImporter.Load</c>, to <see cref="InferenceSession.Open"/>): the nodes,
/// weights and declared values are internal, and a session shows the inputs and outputs it runs.
/// </summary>
public sealed class ModelGraph
{
    internal ModelGraph() { }

    /// <summary>The model's graph name (empty when the file gives none).</summary>
    public string Name { get; internal init; } = "";
    internal List<Node> Nodes { get; } = [];
    internal List<TensorInfo> Inputs { get; } = [];
    internal List<TensorInfo> Outputs { get; } = [];
    internal Dictionary<string, Tensor> Initializers { get; } = new(StringComparer.Ordinal);

    /// <summary>What the model file says about itself (producer, description, properties); empty for a graph built in code.</summary>
    public ModelMetadata Metadata { get; internal init; } = ModelMetadata.Empty;

    /// <summary>Op types of the source model, before any rewrite, with their counts (for `cardinal inspect`).</summary>
    internal Dictionary<string, int> SourceOpHistogram { get; } = new(StringComparer.Ordinal);

    /// <summary>How many weight elements the model holds.</summary>
    public long ParameterCount => Initializers.Values.Sum(t => (long)t.Length);
}
