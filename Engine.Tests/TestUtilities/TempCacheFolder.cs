namespace Cardinal.Tests.TestUtilities;

/// <summary>
/// A temporary folder for one test, with the CLI's cache (CARDINAL_CACHE_DIR) pointed inside it, so no test reads
/// another's (or the user's) cached embeddings. Dispose restores the variable and deletes the folder.
/// </summary>
public sealed class TempCacheFolder : IDisposable
{
    private const string CacheVariable = "CARDINAL_CACHE_DIR";
    private readonly string? _previousCache;

    public TempCacheFolder(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
        _previousCache = Environment.GetEnvironmentVariable(CacheVariable);
        Environment.SetEnvironmentVariable(CacheVariable, System.IO.Path.Combine(Path, "cache"));
    }

    public string Path { get; }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(CacheVariable, _previousCache);
        Directory.Delete(Path, recursive: true);
    }
}
