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
        Unavailable(message);
        return path;
    }

    /// <summary>
    /// Ignores the test with <paramref name="reason"/> on a developer's machine that lacks what it needs (a tool, an
    /// instruction set), and fails it under CI=true, whose machines have all of it: a CI run that skipped would hide
    /// a broken path.
    /// </summary>
    public static void Unavailable(string reason)
    {
        if (InCi) Assert.Fail(reason);
        Assert.Ignore(reason);
    }

    /// <summary>
    /// The blocked kernels (direct and Winograd) exist on AVX-512 and AVX2 only; an Arm machine, an x64 without AVX2
    /// or one capped by CARDINAL_CPU_ISA has none to run. <paramref name="has"/>: whether this test found one.
    /// </summary>
    public static void RequireBlockedTier(bool has, string what)
    {
        if (!has) Unavailable($"No tier with a block size on this machine: {what} needs AVX2 or AVX-512.");
    }

    public const string RunTestScript = "Run tools/test.sh, which installs the Debian references and generates the cache.";
}
