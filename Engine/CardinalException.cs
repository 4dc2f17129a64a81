namespace Cardinal;

/// <summary>Base of every error Cardinal raises on purpose: callers can catch this one type.</summary>
public class CardinalException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public CardinalException(string message) : base(message) { }
    /// <summary>Creates the exception with its message and the error that caused it.</summary>
    public CardinalException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A model file that is not well-formed: truncated, corrupt, or internally inconsistent.</summary>
public class ModelFormatException : CardinalException
{
    /// <summary>Creates the exception with its message.</summary>
    public ModelFormatException(string message) : base(message) { }
    /// <summary>Creates the exception with its message and the error that caused it.</summary>
    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A well-formed model that uses an operator, opset or feature Cardinal does not implement.</summary>
public sealed class UnsupportedModelException : CardinalException
{
    /// <summary>Creates the exception with its message.</summary>
    public UnsupportedModelException(string message) : base(message) { }
}

/// <summary>A model whose graph is well-formed but wrong: bad attributes, shapes that cannot meet, missing values.</summary>
public sealed class InvalidModelException : CardinalException
{
    /// <summary>Creates the exception with its message.</summary>
    public InvalidModelException(string message) : base(message) { }
}

/// <summary>Inputs handed to <see cref="InferenceSession.Run(IReadOnlyDictionary{string, Tensors.Tensor}, CancellationToken)"/> that do not match the model.</summary>
public sealed class InputMismatchException : CardinalException
{
    /// <summary>Creates the exception with its message.</summary>
    public InputMismatchException(string message) : base(message) { }
}

/// <summary>
/// A request refused because a bounded queue is full (see <see cref="Serving.InferenceBatcher"/>): the
/// caller should back off and retry; a service answers 503 with Retry-After.
/// </summary>
public sealed class QueueFullException : CardinalException
{
    /// <summary>Creates the exception with its message.</summary>
    public QueueFullException(string message) : base(message) { }
}

/// <summary>A value name the graph does not have (an output asked for by name); the message lists near matches.</summary>
public sealed class UnknownValueException : CardinalException
{
    /// <summary>Creates the exception with its message.</summary>
    public UnknownValueException(string message) : base(message) { }
}
