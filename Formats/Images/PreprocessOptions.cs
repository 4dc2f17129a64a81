namespace Cardinal.Formats.Images;

public enum ChannelOrder { Rgb, Bgr }

/// <summary>
/// A preprocessing pipeline declared as data: resize so the shorter side is <see cref="ResizeShorterSide"/>
/// (antialiased bilinear, Pillow-exact), center-crop to <see cref="CropWidth"/>×<see cref="CropHeight"/>,
/// then per channel value = (pixel·<see cref="Scale"/> − mean) / std in <see cref="Order"/>, minus an
/// optional per-pixel <see cref="MeanImage"/> [3, CropHeight, CropWidth] (in output channel order).
/// </summary>
public sealed record PreprocessOptions
{
    public required string Name { get; init; }
    public required int ResizeShorterSide { get; init; }
    public required int CropWidth { get; init; }
    public required int CropHeight { get; init; }
    public float Scale { get; init; } = 1f / 255f;
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    public float[] Std { get; init; } = [1f, 1f, 1f];
    public ChannelOrder Order { get; init; } = ChannelOrder.Rgb;
    public float[]? MeanImage { get; init; }

    public int[] TensorShape(int batch) => [batch, 3, CropHeight, CropWidth];
}
