using Cardinal.Formats.Images;

namespace Cardinal.Cli.Commands;

/// <summary>
/// A training folder: DIR/&lt;class&gt;/…/image. Class names are the subfolder names in ordinal order (the
/// model's output order); every image under a class folder, at any depth, belongs to it.
/// </summary>
internal sealed record FitDataset(string[] Classes, string[] Files, int[] Labels)
{
    public static FitDataset Scan(string directory)
    {
        if (!Directory.Exists(directory)) throw new UsageException($"folder not found: {directory}");
        string[] folders = [.. Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal)];
        if (folders.Length == 0)
            throw new UsageException($"{directory} has no class folders; fit needs one subfolder of images per class");
        if (folders.Length == 1)
            throw new UsageException($"{directory} has one class folder ('{Path.GetFileName(folders[0])}'); fit needs at least 2 classes");
        var files = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < folders.Length; c++)
        {
            var images = Directory.EnumerateFiles(folders[c], "*", SearchOption.AllDirectories)
                .Where(f => ImageFiles.Extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList();
            if (images.Count == 0)
                throw new UsageException($"class folder '{Path.GetFileName(folders[c])}' has no images (.jpg, .png, .bmp, .webp, .gif, .tif)");
            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat(c, images.Count));
        }
        return new FitDataset([.. folders.Select(f => Path.GetFileName(f))], [.. files], [.. labels]);
    }
}
