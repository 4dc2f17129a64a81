namespace Cardinal.Learning;

/// <summary>Training data that cannot give a sound model (one class, a class too small to split, mismatched sizes).</summary>
public sealed class TrainingException(string message) : CardinalException(message);
