namespace Cardinal.Tests.TestUtilities;

/// <summary>
/// Where the reference data lives, and what a test does when it is missing: skipped (ignored, with the
/// reason) on a developer's machine, a failure under CI=true, where every reference must be present.
/// </summary>
public static class References
{
    public static string OnnxTestData =>
        Environment.GetEnvironmentVariable("CARDINAL_ONNX_TESTDATA") ?? "/usr/share/libonnx-testdata/data";

    public static string Cache =>
        Environment.GetEnvironmentVariable("CARDINAL_REFERENCE_CACHE")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "cardinal", "reference");

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Ignores the test (or fails it under CI) when <paramref name="path"/> does not exist.</summary>
    public static string Require(string path, string howToGet)
    {
        if (File.Exists(path) || Directory.Exists(path)) return path;
        string message = $"Reference missing: {path}. {howToGet}";
        if (InCi) Assert.Fail(message);
        Assert.Ignore(message);
        return path;
    }

    public const string RunTestScript = "Run tools/test.sh, which installs the Debian references and generates the cache.";
}
