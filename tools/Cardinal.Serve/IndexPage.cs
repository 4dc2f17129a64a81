namespace Cardinal.Serve;

/// <summary>The upload page at /, embedded in the assembly (Pages/index.html).</summary>
public static class IndexPage
{
    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = typeof(IndexPage).Assembly.GetManifestResourceStream("Cardinal.Serve.index.html")
            ?? throw new InvalidOperationException("the upload page is not embedded");
        return new StreamReader(stream).ReadToEnd();
    });

    public static string Html => Text.Value;
}
