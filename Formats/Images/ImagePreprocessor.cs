namespace Cardinal.Formats.Images;

/// <summary>Applies a <see cref="PreprocessOptions"/> pipeline to one decoded image, writing CHW floats in place.</summary>
public static class ImagePreprocessor
{
    /// <summary>torchvision's Resize(int) output size: the shorter side becomes <paramref name="shorter"/>, the longer int(shorter·long/short).</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int shorter)
    {
        if (width <= height) return (shorter, (int)((long)shorter * height / width));
        return ((int)((long)shorter * width / height), shorter);
    }

    /// <summary>Resizes and center-crops to 8-bit RGB (the part of the pipeline that is exact in bytes).</summary>
    public static RgbImage ResizeAndCrop(RgbImage image, PreprocessOptions options)
    {
        var (w, h) = ResizedSize(image.Width, image.Height, options.ResizeShorterSide);
        RgbImage resized = BilinearResampler.Resize(image, w, h);
        return CenterCrop(resized, options.CropWidth, options.CropHeight);
    }

    /// <summary>torchvision's CenterCrop: offsets int(round((size − crop)/2)), rounding half to even as Python does.</summary>
    public static RgbImage CenterCrop(RgbImage image, int width, int height)
    {
        if (width > image.Width || height > image.Height)
            throw new ImageDecodeException($"cannot center-crop {width}×{height} from a {image.Width}×{image.Height} image (resize first).");
        int top = (int)Math.Round((image.Height - height) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((image.Width - width) / 2.0, MidpointRounding.ToEven);
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            image.Pixels.AsSpan(((top + y) * image.Width + left) * 3, width * 3).CopyTo(pixels.AsSpan(y * width * 3));
        return new RgbImage(width, height, pixels);
    }

    /// <summary>
    /// Full pipeline into <paramref name="chw"/> (3·CropHeight·CropWidth floats): the resize runs in this thread's
    /// scratch (<see cref="BilinearResampler.ResizeInScratch"/>) and the crop is read straight out of it, so a stream of
    /// images allocates nothing per image here; the bytes are <see cref="ResizeAndCrop"/>'s.
    /// </summary>
    public static void Apply(RgbImage image, PreprocessOptions options, Span<float> chw)
    {
        int plane = options.CropWidth * options.CropHeight;
        if (chw.Length != 3 * plane) throw new ArgumentException($"Destination holds {chw.Length} floats, the pipeline writes {3 * plane}.");
        var (w, h) = ResizedSize(image.Width, image.Height, options.ResizeShorterSide);
        int width = options.CropWidth, height = options.CropHeight;
        if (width > w || height > h)
            throw new ImageDecodeException($"cannot center-crop {width}×{height} from a {w}×{h} image (resize first).");
        ReadOnlySpan<byte> p = BilinearResampler.ResizeInScratch(image, w, h);
        int top = (int)Math.Round((h - height) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((w - width) / 2.0, MidpointRounding.ToEven);
        for (int c = 0; c < 3; c++)
        {
            int source = options.Order == ChannelOrder.Rgb ? c : 2 - c; // output channel c reads R, G or B
            float scale = options.Scale, mean = options.Mean[c], inverseStd = 1f / options.Std[c];
            Span<float> dst = chw.Slice(c * plane, plane);
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> row = p.Slice(((top + y) * w + left) * 3, width * 3);
                Span<float> outRow = dst.Slice(y * width, width);
                for (int x = 0; x < width; x++) outRow[x] = (row[x * 3 + source] * scale - mean) * inverseStd;
            }
            if (options.MeanImage is { } meanImage)
            {
                ReadOnlySpan<float> m = meanImage.AsSpan(c * plane, plane);
                for (int i = 0; i < plane; i++) dst[i] -= m[i];
            }
        }
    }
}
