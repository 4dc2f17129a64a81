using Cardinal.Tensors;

namespace Cardinal.Graph;

/// <summary>One dimension as a model declares it: a fixed size, or a symbol such as "batch" that any size fills.</summary>
public readonly record struct Dimension(int? Size, string? Symbol)
{
    /// <summary>A fixed size.</summary>
    public static Dimension Fixed(int size) => new(size, null);
    /// <summary>A symbolic size (e.g. "batch"); null or empty for an unnamed one.</summary>
    public static Dimension Symbolic(string? symbol) => new(null, symbol);
    /// <summary>True for a fixed size.</summary>
    public bool IsFixed => Size.HasValue;
    /// <inheritdoc/>
    public override string ToString() => Size?.ToString() ?? (string.IsNullOrEmpty(Symbol) ? "?" : Symbol);
}

/// <summary>A graph input or output as declared: name, element type and possibly symbolic dimensions.</summary>
public sealed record TensorInfo(string Name, ElementType ElementType, IReadOnlyList<Dimension>? Dims)
{
    /// <summary>The shape as text, e.g. "[N,3,224,224]", or "(unknown)".</summary>
    public string ShapeText => Dims is null ? "(unknown)" : "[" + string.Join(",", Dims) + "]";
    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {ElementType.Name()}{ShapeText}";
}

/// <summary>A value during planning: its concrete type and, when known before any run, its data.</summary>
internal sealed class ValueInfo(string name, ElementType elementType, int[] dims, Tensor? constant = null)
{
    public string Name { get; } = name;
    public ElementType ElementType { get; } = elementType;
    public int[] Dims { get; } = dims;
    public int Rank => Dims.Length;
    public Tensor? Constant { get; } = constant;
    public bool IsConstant => Constant is not null;
    public long ElementCount => TensorShape.ElementCount(Dims);
    public override string ToString() => $"{Name}: {ElementType.Name()}{TensorShape.Format(Dims)}";
}

/// <summary>An output type produced by shape inference.</summary>
internal readonly record struct TensorType(ElementType ElementType, int[] Dims);
