using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Cardinal.Formats.Images;

/// <summary>
/// Decodes with SixLabors.ImageSharp 2.1 (pinned; 2.x gets no more upstream fixes), hardened:
/// <list type="bullet">
/// <item>a private <see cref="Configuration"/> that knows only JPEG, PNG, BMP and WebP (GIF, first frame
/// only, and TIFF when <see cref="ImageLimits"/> enables them), never the global one;</item>
/// <item>the header is identified first and oversized images refused before any pixel is decoded;</item>
/// <item>the decoder's allocations are capped (<c>AllocationLimitMegabytes</c>);</item>
/// <item>a JPEG without its end-of-image marker or a PNG without IEND is reported as truncated
/// (ImageSharp would otherwise decode it silently with grey or black rows);</item>
/// <item>EXIF orientation is applied; every pixel format (grey, palette, alpha, 16-bit, CMYK) becomes RGB.</item>
/// </list>
/// </summary>
public sealed class ImageSharpDecoder : IImageDecoder
{
    private readonly Configuration _configuration;
    private readonly ImageLimits _limits;

    /// <summary>A decoder with these limits (the defaults when null).</summary>
    public ImageSharpDecoder(ImageLimits? limits = null)
    {
        _limits = limits ?? new ImageLimits();
        var modules = new List<IConfigurationModule>
        {
            new JpegConfigurationModule(), new PngConfigurationModule(), new BmpConfigurationModule(), new WebpConfigurationModule(),
        };
        if (_limits.EnableGif) modules.Add(new GifConfigurationModule());
        if (_limits.EnableTiff) modules.Add(new TiffConfigurationModule());
        _configuration = new Configuration(modules.ToArray())
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = _limits.MaxDecoderMegabytes }),
            // Batches decode in parallel already; one image is decoded on one thread.
            MaxDegreeOfParallelism = 1,
        };
        if (_limits.EnableGif)
            _configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
    }

    /// <summary>The limits every decode enforces.</summary>
    public ImageLimits Limits => _limits;

    /// <inheritdoc/>
    public RgbImage Decode(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty) throw new ImageDecodeException($"{source}: the file is empty.");
        if (data.Length > _limits.MaxFileBytes)
            throw new ImageDecodeException($"{source}: {data.Length} bytes exceeds the {_limits.MaxFileBytes}-byte limit.");
        byte[] bytes = data.ToArray();
        try
        {
            IImageInfo? info = Image.Identify(_configuration, bytes, out IImageFormat? format);
            if (info is null || format is null)
                throw new ImageDecodeException($"{source}: not an image in an enabled format ({EnabledFormats()}).");
            if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > _limits.MaxPixels)
                throw new ImageDecodeException($"{source}: {info.Width}×{info.Height} pixels exceeds the limit of {_limits.MaxPixels} pixels.");
            CheckComplete(bytes, format, source);

            using Image<Rgb24> image = Image.Load<Rgb24>(_configuration, bytes);
            image.Mutate(x => x.AutoOrient());
            var pixels = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(pixels);
            return new RgbImage(image.Width, image.Height, pixels);
        }
        catch (ImageDecodeException) { throw; }
        catch (InvalidMemoryOperationException e) { throw new ImageDecodeException($"{source}: decoding needs more memory than the {_limits.MaxDecoderMegabytes} MiB limit ({e.Message}).", e); }
        catch (UnknownImageFormatException e) { throw new ImageDecodeException($"{source}: not an image in an enabled format ({EnabledFormats()}).", e); }
        catch (ImageFormatException e) { throw new ImageDecodeException($"{source}: corrupt image ({e.Message}).", e); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A hostile file can trip ImageSharp into exceptions of any type; each is this file's fault.
            throw new ImageDecodeException($"{source}: corrupt image ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private string EnabledFormats() => string.Join(", ", _configuration.ImageFormats.Select(f => f.Name).Order());

    /// <summary>Truncation that the decoders would paper over.</summary>
    private static void CheckComplete(byte[] bytes, IImageFormat format, string source)
    {
        if (format is JpegFormat)
        {
            // The end-of-image marker FF D9 must close the file; allow trailing padding some writers add.
            int end = bytes.Length;
            while (end > 2 && bytes[end - 1] is 0x00 or 0x0A or 0x0D or 0x20 or 0xFF) end--;
            bool closed = end >= 2 && bytes[end - 2] == 0xFF && bytes[end - 1] == 0xD9;
            if (!closed && bytes.AsSpan(Math.Max(0, bytes.Length - 4096)).IndexOf([(byte)0xFF, (byte)0xD9]) < 0)
                throw new ImageDecodeException($"{source}: truncated JPEG (no end-of-image marker).");
        }
        else if (format is PngFormat)
        {
            if (bytes.AsSpan(Math.Max(0, bytes.Length - 64)).IndexOf("IEND"u8) < 0)
                throw new ImageDecodeException($"{source}: truncated PNG (no IEND chunk).");
        }
    }
}
