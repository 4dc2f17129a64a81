namespace Cardinal.Formats.Images;

/// <summary>An image file that cannot be used: unreadable, corrupt, truncated, too large, or of a disabled format. Names the file.</summary>
public sealed class ImageDecodeException : CardinalException
{
    /// <summary>Creates the exception with its message.</summary>
    public ImageDecodeException(string message) : base(message) { }
    /// <summary>Creates the exception with its message and the decoder's error.</summary>
    public ImageDecodeException(string message, Exception inner) : base(message, inner) { }
}
