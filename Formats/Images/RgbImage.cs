namespace Cardinal.Formats.Images;

/// <summary>A decoded image: 8-bit RGB, interleaved, row-major, upright (EXIF orientation applied).</summary>
public sealed class RgbImage
{
    /// <summary>An image over <paramref name="pixels"/> (width × height × 3 bytes, not copied).</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}×{height} must be positive.");
        if (pixels.Length != (long)width * height * 3) throw new ArgumentException($"{pixels.Length} bytes do not hold {width}×{height} RGB pixels.");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>R, G, B bytes per pixel, rows top to bottom.</summary>
    public byte[] Pixels { get; }
}
