namespace Cardinal.Cli.Commands;

/// <summary>How the image jobs end: failures listed on stderr (one line each), and the exit code that says so.</summary>
internal static class ImageJobReport
{
    public static int Finish(IReadOnlyList<ImageResult> results, TextWriter stderr, bool quiet = false)
    {
        var failed = results.Where(r => r.Error is not null).ToList();
        if (!quiet)
            foreach (var f in failed) stderr.WriteLine($"cardinal: skipped {f.Error!.ReplaceLineEndings(" ")}");
        if (failed.Count == 0) return Cli.Ok;
        stderr.WriteLine($"cardinal: {failed.Count} of {results.Count} images failed");
        return Cli.SomeImagesFailed;
    }

    public static List<string> Files(CliArguments a, int skip = 0) => Files(a.Positionals.Skip(skip));

    public static List<string> Files(IEnumerable<string> arguments)
    {
        var files = Formats.Images.ImageFiles.Expand(arguments);
        if (files.Count == 0) throw new UsageException("no images given (pass files or a folder of .jpg/.png/.bmp/.webp images)");
        return files;
    }
}
