namespace Cardinal.Formats.Images;

/// <summary>Reading image files from disk: size checked before reading, every failure an <see cref="ImageDecodeException"/> naming the file.</summary>
public static class ImageFiles
{
    /// <summary>Extensions a folder scan picks up (case-insensitive). Content decides the format, not the name.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff" };

    /// <summary>Reads and decodes one image file, refusing it by size before reading (<see cref="ImageLimits.MaxFileBytes"/>).</summary>
    public static RgbImage Read(string path, IImageDecoder decoder, ImageLimits limits)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ImageDecodeException($"{path}: file not found.");
            if (info.Length > limits.MaxFileBytes)
                throw new ImageDecodeException($"{path}: {info.Length} bytes exceeds the {limits.MaxFileBytes}-byte limit.");
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e) { throw new ImageDecodeException($"{path}: cannot read ({e.Message}).", e); }
        catch (UnauthorizedAccessException e) { throw new ImageDecodeException($"{path}: cannot read ({e.Message}).", e); }
        return decoder.Decode(bytes, path);
    }

    /// <summary>Expands arguments into image files: files as given, folders to their images (sorted, not recursive).</summary>
    public static List<string> Expand(IEnumerable<string> arguments) => Expand(arguments, recursive: false);

    /// <summary>
    /// Expands arguments into image files: files as given, folders to their images sorted by path (ordinal),
    /// with every subfolder's when <paramref name="recursive"/> (hidden entries and symbolic links to folders
    /// are not followed, so a link loop cannot make the walk endless).
    /// </summary>
    public static List<string> Expand(IEnumerable<string> arguments, bool recursive)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint };
        var files = new List<string>();
        foreach (string a in arguments)
        {
            if (Directory.Exists(a))
                files.AddRange(Directory.EnumerateFiles(a, "*", recursive ? options : new EnumerationOptions())
                    .Where(f => Extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal));
            else files.Add(a);
        }
        return files;
    }
}
