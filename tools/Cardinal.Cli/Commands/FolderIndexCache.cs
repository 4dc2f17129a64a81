using System.Security.Cryptography;
using System.Text;
using Cardinal.Formats.Vectors;

namespace Cardinal.Cli.Commands;

/// <summary>
/// A folder's embeddings kept between `similar` runs as one vector index (<see cref="VectorIndexFile"/>) under the
/// user's cache folder, never beside their photos: $CARDINAL_CACHE_DIR or ~/.cache/cardinal, then
/// embeddings/&lt;model hash&gt;-&lt;preset&gt;/&lt;folder hash&gt;.cvi. Each key is "size ticks full-path", so a changed
/// file misses by construction, and the index's model identity must match.
/// </summary>
internal sealed class FolderIndexCache(string fingerprint, string folder)
{
    public string Path { get; } = System.IO.Path.Combine(Root, fingerprint,
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(System.IO.Path.GetFullPath(folder))))[..32].ToLowerInvariant() + ".cvi");

    public static string Root => Environment.GetEnvironmentVariable("CARDINAL_CACHE_DIR") is { Length: > 0 } dir
        ? System.IO.Path.Combine(dir, "embeddings")
        : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "cardinal", "embeddings");

    public static string Key(string file)
    {
        var info = new FileInfo(file);
        return $"{info.Length} {info.LastWriteTimeUtc.Ticks} {info.FullName}";
    }

    /// <summary>The cached normalised vectors by key; empty when there is no cache, or it is unreadable or another model's.</summary>
    public Dictionary<string, float[]> Load()
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        try
        {
            if (!File.Exists(Path)) return result;
            using var index = VectorIndex.Open(Path);
            if (index.Model != fingerprint) return result;
            for (int i = 0; i < index.Count; i++) result[index.Keys[i]] = index.Row(i).ToArray();
        }
        catch (Exception e) when (e is CardinalException or IOException or UnauthorizedAccessException) { result.Clear(); }
        return result;
    }

    public void Save(IReadOnlyList<string> keys, IReadOnlyList<float[]> vectors, int dim)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            VectorIndexFile.Write(Path, fingerprint, dim, keys, vectors.Select(v => (ReadOnlyMemory<float>)v));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a cache that cannot be written only costs time */ }
    }
}
