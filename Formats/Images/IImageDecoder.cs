namespace Cardinal.Formats.Images;

/// <summary>
/// Turns an encoded image into upright 8-bit RGB. Cardinal's own implementation is
/// <c>ImageSharpDecoder</c> (package Cardinal.Formats.Images); another decoder (SkiaSharp, libvips, a camera SDK) plugs in here.
/// </summary>
public interface IImageDecoder
{
    /// <param name="data">The whole file.</param>
    /// <param name="source">The file's name, for error messages.</param>
    /// <exception cref="ImageDecodeException">Anything wrong with the image.</exception>
    RgbImage Decode(ReadOnlySpan<byte> data, string source);
}

/// <summary>Safety limits applied before and during decoding.</summary>
public sealed record ImageLimits
{
    /// <summary>Images with more pixels than this are refused from their header, before decoding (default 64 MP).</summary>
    public long MaxPixels { get; init; } = 64_000_000;
    /// <summary>Files larger than this are refused before they are read (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;
    /// <summary>The decoder's memory cap: one allocation past this fails the decode, not the process.</summary>
    public int MaxDecoderMegabytes { get; init; } = 1024;
    /// <summary>GIF (first frame only) — off by default: most published ImageSharp advisories were in its GIF decoder.</summary>
    public bool EnableGif { get; init; }
    /// <summary>TIFF — off by default, a large and rarely needed attack surface.</summary>
    public bool EnableTiff { get; init; }
}
