namespace Cardinal.Formats.Images;

/// <summary>
/// Antialiased bilinear resampling of 8-bit RGB, computed exactly as Pillow's <c>Image.resize(…, BILINEAR)</c>
/// does (what torchvision's Resize runs on PIL images): a separable triangle filter whose support widens by
/// the downscale factor, coefficients normalised per output pixel and held in 22-bit fixed point, a
/// horizontal pass first, rounded to 8 bits, then a vertical pass. Same arithmetic, same bytes.
/// </summary>
internal static class BilinearResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes the whole of <paramref name="src"/> to width × height.</summary>
    public static RgbImage Resize(RgbImage src, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Target size {width}×{height} must be positive.");
        RgbImage image = src;
        if (width != src.Width) image = Horizontal(image, width);
        if (height != src.Height) image = Vertical(image, height);
        return image;
    }

    /// <summary>Per output pixel: first input index, tap count, and fixed-point weights (ksize per output).</summary>
    private static (int[] Bounds, int[] Weights, int KernelSize) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale; // the triangle filter's support is 1
        int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var weights = new int[outSize * kernelSize];
        var k = new double[kernelSize];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            double inverse = 1.0 / filterScale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int count = Math.Min((int)(center + support + 0.5), inSize) - min;
            double sum = 0;
            for (int x = 0; x < count; x++)
            {
                double w = Triangle((x + min - center + 0.5) * inverse);
                k[x] = w;
                sum += w;
            }
            for (int x = 0; x < kernelSize; x++)
            {
                double v = x < count && sum != 0 ? k[x] / sum : 0;
                weights[o * kernelSize + x] = (int)(v < 0 ? -0.5 + v * (1 << PrecisionBits) : 0.5 + v * (1 << PrecisionBits));
            }
            bounds[o * 2] = min;
            bounds[o * 2 + 1] = count;
        }
        return (bounds, weights, kernelSize);
    }

    private static double Triangle(double x)
    {
        if (x < 0) x = -x;
        return x < 1 ? 1 - x : 0;
    }

    private static byte Clip8(long accumulator)
    {
        long v = accumulator >> PrecisionBits;
        return (byte)Math.Clamp(v, 0, 255);
    }

    private static RgbImage Horizontal(RgbImage src, int width)
    {
        var dst = new byte[width * src.Height * 3];
        Horizontal(src.Pixels, src.Width, src.Height, dst, width);
        return new RgbImage(width, src.Height, dst);
    }

    private static RgbImage Vertical(RgbImage src, int height)
    {
        var dst = new byte[src.Width * height * 3];
        Vertical(src.Pixels, src.Width, src.Height, dst, height);
        return new RgbImage(src.Width, height, dst);
    }

    /// <summary>
    /// <see cref="Resize"/> into this thread's scratch buffers instead of new arrays, for the preprocessing of a
    /// stream of images (each would otherwise allocate a few hundred KB on the large-object heap, collected only by
    /// full collections: the embed pipeline's memory then swings by ~100 MB). Valid until this thread's next call.
    /// Intermediates past <see cref="ScratchLimitBytes"/> (a photo of many megapixels) are allocated as before, so
    /// one huge image does not stay pinned to a thread.
    /// </summary>
    internal static ReadOnlySpan<byte> ResizeInScratch(RgbImage src, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Target size {width}×{height} must be positive.");
        ReadOnlySpan<byte> pixels = src.Pixels;
        int w = src.Width;
        if (width != src.Width)
        {
            Span<byte> h = Scratch(ref t_horizontal, width * src.Height * 3);
            Horizontal(pixels, src.Width, src.Height, h, width);
            pixels = h;
            w = width;
        }
        if (height != src.Height)
        {
            Span<byte> v = Scratch(ref t_vertical, w * height * 3);
            Vertical(pixels, w, src.Height, v, height);
            pixels = v;
        }
        return pixels;
    }

    /// <summary>The largest intermediate kept per thread between calls (a 4K frame's resize fits).</summary>
    internal const int ScratchLimitBytes = 16 << 20;

    [ThreadStatic] private static byte[]? t_horizontal, t_vertical;

    private static Span<byte> Scratch(ref byte[]? buffer, int length)
    {
        if (length > ScratchLimitBytes) return new byte[length];
        if (buffer is null || buffer.Length < length) buffer = new byte[Math.Min(ScratchLimitBytes, Math.Max(length, buffer?.Length * 2 ?? 0))];
        return buffer.AsSpan(0, length);
    }

    private static void Horizontal(ReadOnlySpan<byte> s, int srcWidth, int srcHeight, Span<byte> dst, int width)
    {
        var (bounds, weights, ksize) = Coefficients(srcWidth, width);
        for (int y = 0; y < srcHeight; y++)
        {
            int rowIn = y * srcWidth * 3, rowOut = y * width * 3;
            for (int x = 0; x < width; x++)
            {
                int min = bounds[x * 2], count = bounds[x * 2 + 1];
                long r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (int t = 0; t < count; t++)
                {
                    int w = weights[x * ksize + t], p = rowIn + (min + t) * 3;
                    r += s[p] * w; g += s[p + 1] * w; b += s[p + 2] * w;
                }
                int q = rowOut + x * 3;
                dst[q] = Clip8(r); dst[q + 1] = Clip8(g); dst[q + 2] = Clip8(b);
            }
        }
    }

    private static void Vertical(ReadOnlySpan<byte> s, int srcWidth, int srcHeight, Span<byte> dst, int height)
    {
        var (bounds, weights, ksize) = Coefficients(srcHeight, height);
        int stride = srcWidth * 3;
        for (int y = 0; y < height; y++)
        {
            int min = bounds[y * 2], count = bounds[y * 2 + 1];
            for (int i = 0; i < stride; i++)
            {
                long acc = 1 << (PrecisionBits - 1);
                for (int t = 0; t < count; t++) acc += s[(min + t) * stride + i] * weights[y * ksize + t];
                dst[y * stride + i] = Clip8(acc);
            }
        }
    }
}
