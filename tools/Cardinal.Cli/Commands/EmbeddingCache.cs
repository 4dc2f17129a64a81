using System.Security.Cryptography;
using System.Text;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>
/// `fit`'s embeddings kept on disk between runs (raw, not normalised: the trainer standardises them), under the
/// user's cache folder (never beside their photos; `similar` keeps one index per folder instead, FolderIndexCache):
/// $CARDINAL_CACHE_DIR or ~/.cache/cardinal/embeddings/&lt;model hash&gt;-&lt;preset&gt;/&lt;key&gt;.npy, where the key hashes the
/// file's full path, size and modification time — a changed file or model misses the cache by construction.
/// </summary>
internal sealed class EmbeddingCache(string fingerprint)
{
    private readonly string _folder = Path.Combine(Root, fingerprint);

    public static string Root => Environment.GetEnvironmentVariable("CARDINAL_CACHE_DIR") is { Length: > 0 } dir
        ? Path.Combine(dir, "embeddings")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "cardinal", "embeddings");

    private string PathFor(string file)
    {
        var info = new FileInfo(file);
        string identity = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32].ToLowerInvariant();
        return Path.Combine(_folder, key + ".npy");
    }

    public float[]? TryGet(string file)
    {
        try
        {
            string path = PathFor(file);
            return File.Exists(path) ? NpyFile.Read(path).Floats.ToArray() : null;
        }
        catch (Exception e) when (e is CardinalException or IOException or UnauthorizedAccessException) { return null; }
    }

    public void Put(string file, float[] embedding)
    {
        try
        {
            Directory.CreateDirectory(_folder);
            string path = PathFor(file), temp = path + "." + Environment.ProcessId + ".tmp";
            NpyFile.Write(temp, Tensor.FromArray(embedding, embedding.Length));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a cache that cannot be written only costs time */ }
    }
}
