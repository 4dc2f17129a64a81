namespace Cardinal.Formats.Images;

/// <summary>The ImageNet-1k class names in torchvision's order (index = the classifier's output index), bundled.</summary>
public static class ImageNetLabels
{
    private static readonly Lazy<string[]> Names = new(Load);

    /// <summary>The 1,000 names.</summary>
    public static IReadOnlyList<string> All => Names.Value;

    private static string[] Load()
    {
        using var stream = typeof(ImageNetLabels).Assembly.GetManifestResourceStream("Cardinal.Formats.imagenet-labels.txt")
            ?? throw new InvalidOperationException("the ImageNet label list is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
