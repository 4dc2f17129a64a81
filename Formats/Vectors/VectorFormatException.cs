namespace Cardinal.Formats.Vectors;

/// <summary>
/// A vector file Cardinal cannot use: an index that is truncated, corrupt (checksum), of another version, or
/// built for another model or dimension; a shard whose parts disagree. Always names the file.
/// </summary>
public sealed class VectorFormatException(string message) : CardinalException(message);
