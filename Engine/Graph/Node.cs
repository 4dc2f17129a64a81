namespace Cardinal.Graph;

/// <summary>
/// One operation in the graph. Inputs and outputs are value names; an empty name marks an optional input
/// the model left out. <see cref="Opset"/> is the version the model imported, kept for error messages.
/// </summary>
internal sealed class Node(string name, Operator op, string[] inputs, string[] outputs, int opset)
{
    public string Name { get; } = name;
    public Operator Op { get; } = op;
    public string[] Inputs { get; } = inputs;
    public string[] Outputs { get; } = outputs;
    public int Opset { get; } = opset;
    public string OpType => Op.OpType;
    public string Describe() => $"{OpType} node '{Name}'";
    public override string ToString() => Describe();
}
