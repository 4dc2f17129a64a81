namespace Cardinal.Formats.Images;

/// <summary>The channel order of a preprocessed image tensor.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision).</summary>
    Rgb,
    /// <summary>Blue, green, red (Caffe-style models).</summary>
    Bgr,
}

/// <summary>
/// A preprocessing pipeline declared as data: resize so the shorter side is <see cref="ResizeShorterSide"/>
/// (antialiased bilinear, Pillow-exact), center-crop to <see cref="CropWidth"/>×<see cref="CropHeight"/>,
/// then per channel value = (pixel·<see cref="Scale"/> − mean) / std in <see cref="Order"/>, minus an
/// optional per-pixel <see cref="MeanImage"/> [3, CropHeight, CropWidth] (in output channel order).
/// </summary>
public sealed record PreprocessOptions
{
    /// <summary>The preset's name, e.g. "imagenet".</summary>
    public required string Name { get; init; }
    /// <summary>The shorter side after the resize, in pixels.</summary>
    public required int ResizeShorterSide { get; init; }
    /// <summary>Width of the centre crop.</summary>
    public required int CropWidth { get; init; }
    /// <summary>Height of the centre crop.</summary>
    public required int CropHeight { get; init; }
    /// <summary>Multiplies each 0–255 channel value first (1/255 by default).</summary>
    public float Scale { get; init; } = 1f / 255f;
    /// <summary>Per-channel mean subtracted after scaling.</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    /// <summary>Per-channel standard deviation divided by last.</summary>
    public float[] Std { get; init; } = [1f, 1f, 1f];
    /// <summary>The channel order of the tensor.</summary>
    public ChannelOrder Order { get; init; } = ChannelOrder.Rgb;
    /// <summary>An optional per-pixel mean image [3, crop height, crop width], in output channel order, subtracted last.</summary>
    public float[]? MeanImage { get; init; }

    /// <summary>The input tensor shape for <paramref name="batch"/> images: [batch, 3, crop height, crop width].</summary>
    public int[] TensorShape(int batch) => [batch, 3, CropHeight, CropWidth];
}
