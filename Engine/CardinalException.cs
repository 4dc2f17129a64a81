namespace Cardinal;

/// <summary>Base of every error Cardinal raises on purpose: callers can catch this one type.</summary>
public class CardinalException : Exception
{
    public CardinalException(string message) : base(message) { }
    public CardinalException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A model file that is not well-formed: truncated, corrupt, or internally inconsistent.</summary>
public class ModelFormatException : CardinalException
{
    public ModelFormatException(string message) : base(message) { }
    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A well-formed model that uses an operator, opset or feature Cardinal does not implement.</summary>
public sealed class UnsupportedModelException : CardinalException
{
    public UnsupportedModelException(string message) : base(message) { }
}

/// <summary>A model whose graph is well-formed but wrong: bad attributes, shapes that cannot meet, missing values.</summary>
public sealed class InvalidModelException : CardinalException
{
    public InvalidModelException(string message) : base(message) { }
}

/// <summary>Inputs handed to <see cref="InferenceSession.Run(IReadOnlyDictionary{string, Tensors.Tensor}, CancellationToken)"/> that do not match the model.</summary>
public sealed class InputMismatchException : CardinalException
{
    public InputMismatchException(string message) : base(message) { }
}

/// <summary>
/// A request refused because a bounded queue is full (see <see cref="Serving.InferenceBatcher"/>): the
/// caller should back off and retry; a service answers 503 with Retry-After.
/// </summary>
public sealed class QueueFullException : CardinalException
{
    public QueueFullException(string message) : base(message) { }
}

/// <summary>A value name the graph does not have (an output asked for by name); the message lists near matches.</summary>
public sealed class UnknownValueException : CardinalException
{
    public UnknownValueException(string message) : base(message) { }
}
