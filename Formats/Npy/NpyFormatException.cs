namespace Cardinal.Formats.Npy;

/// <summary>A .npy file that is not one Cardinal can read: bad magic, header, dtype, order or size.</summary>
public sealed class NpyFormatException(string message) : CardinalException(message);
